"""`python -m tizim.cli`: the same command as the `tizim` script."""

from tizim.cli import main

main()
