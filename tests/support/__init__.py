"""Test-only helpers shared by every test package (image builders, servers)."""
