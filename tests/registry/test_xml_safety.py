"""XML list files are parsed safely: entity declarations (billion laughs, XXE) are refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from tizim.errors import InputError
from tizim.registry.importers import load

LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
    '<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>'
)
XXE = '<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
UN_BODY = (
    "<CONSOLIDATED_LIST dateGenerated=\"2026-01-01\"><INDIVIDUALS><INDIVIDUAL><DATAID>1</DATAID>"
    "<FIRST_NAME>{payload}</FIRST_NAME><REFERENCE_NUMBER>QDi.001</REFERENCE_NUMBER><UN_LIST_TYPE>Al-Qaida</UN_LIST_TYPE>"
    "</INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>"
)
SDN_BODY = (
    '<sdnList xmlns="http://tempuri.org/sdnList.xsd"><sdnEntry><uid>1</uid><lastName>{payload}</lastName>'
    "<sdnType>Entity</sdnType></sdnEntry></sdnList>"
)


def _write(tmp_path: Path, doctype: str, body: str, payload: str, padding: int) -> Path:
    path = tmp_path / "list.xml"
    # Padding pushes the DTD past the first 64 KiB, where a head-only check would miss it.
    pad = f"<!--{'x' * padding}-->\n" if padding else ""
    path.write_text(f'<?xml version="1.0"?>\n{pad}{doctype}\n{body.format(payload=payload)}', encoding="utf-8")
    return path


@pytest.mark.parametrize("source,body", [("un-sc", UN_BODY), ("us-ofac-sdn", SDN_BODY)])
@pytest.mark.parametrize("padding", [0, 70_000])
def test_billion_laughs_refused(tmp_path: Path, source: str, body: str, padding: int) -> None:
    path = _write(tmp_path, LAUGHS, body, "&lol4;", padding)
    with pytest.raises(InputError, match="entity declarations are forbidden") as info:
        load(path, source)
    assert info.value.file == str(path)


@pytest.mark.parametrize("source,body", [("un-sc", UN_BODY), ("us-ofac-sdn", SDN_BODY)])
@pytest.mark.parametrize("padding", [0, 70_000])
def test_external_entity_refused(tmp_path: Path, source: str, body: str, padding: int) -> None:
    path = _write(tmp_path, XXE, body, "&xxe;", padding)
    with pytest.raises(InputError, match="entity declarations are forbidden"):
        load(path, source)


def test_external_dtd_is_not_fetched(tmp_path: Path) -> None:
    # A DOCTYPE naming an outside DTD is harmless when nothing loads it: the file parses
    # and the name is the literal text.
    doctype = '<!DOCTYPE CONSOLIDATED_LIST SYSTEM "http://127.0.0.1:9/never.dtd">'
    path = _write(tmp_path, doctype, UN_BODY, "SAFE NAME", 0)
    parsed = load(path, "un-sc")
    assert [e.caption for e in parsed.entities] == ["SAFE NAME"]


def test_malformed_xml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.xml"
    path.write_text('<?xml version="1.0"?>\n<CONSOLIDATED_LIST>\n<INDIVIDUALS>\n<INDIVIDUAL></WRONG>\n', encoding="utf-8")
    with pytest.raises(InputError) as info:
        load(path, "un-sc")
    assert info.value.line == 4
