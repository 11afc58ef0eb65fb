"""``python -m oncotrial``: the same as the ``oncotrial`` command."""

from oncotrial.cli import main

if __name__ == "__main__":
    main()
