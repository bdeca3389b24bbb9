"""The vulnerability store: OSV records, CISA KEV and EPSS in one SQLite file (DESIGN.md §3)."""
