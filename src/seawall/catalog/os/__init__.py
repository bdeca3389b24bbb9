"""OS package catalogers: dpkg, apk and rpm databases, and the distro they belong to.

`release` detects the distro (os-release and older release files);
`ecosystems` maps a distro to its OSV ecosystem and purl parts for every OS
cataloger; `dpkg`, `apk` and `rpm` read the package databases.
"""
