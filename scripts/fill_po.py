"""Fill msgstr entries of a .po catalogue from a YAML mapping {msgid: translation}.

Usage: python scripts/fill_po.py PO_FILE MAP.yaml
(PO_FILE: trainer/<feature>/translations/zh_Hans_CN/LC_MESSAGES/messages.po)
Only empty entries are filled; prints the msgids still untranslated.
"""

import sys

import yaml
from babel.messages.pofile import read_po, write_po


def main(po_path: str, mapping_path: str) -> int:
    with open(mapping_path, encoding="utf-8") as fh:
        mapping = yaml.safe_load(fh) or {}
    with open(po_path, "rb") as fh:
        catalog = read_po(fh)
    for message in catalog:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        if key in mapping:
            value = mapping[key]
            message.string = tuple(value) if isinstance(message.id, tuple) else value
            message.flags.discard("fuzzy")
    with open(po_path, "wb") as fh:
        write_po(fh, catalog, width=100)
    missing = [m.id for m in catalog if m.id and not m.string]
    for msgid in missing:
        print("untranslated:", msgid)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
