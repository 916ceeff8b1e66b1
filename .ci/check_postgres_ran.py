"""Fail CI when PostgreSQL tests were skipped (or none ran): a skipped test is not a passing test."""

import sys
import xml.etree.ElementTree as ET


def main(report: str) -> int:
    ran = skipped = 0
    for case in ET.parse(report).getroot().iter("testcase"):
        name = f"{case.get('classname')}::{case.get('name')}"
        if "postgres" not in name.lower():
            continue
        if case.find("skipped") is not None:
            skipped += 1
            print(f"skipped PostgreSQL test: {name}", file=sys.stderr)
        else:
            ran += 1
    print(f"PostgreSQL tests: {ran} ran, {skipped} skipped")
    if skipped or not ran:
        print("CI requires every PostgreSQL test to run", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
