"""The analyst's pages: server-rendered HTML under /ui on the API app.

No JavaScript and no CDN: every page is plain HTML with one local stylesheet, so the pages
work behind a bank's proxy and under a strict Content-Security-Policy.
"""
