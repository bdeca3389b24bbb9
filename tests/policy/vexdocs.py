"""VEX documents about the fixture image, as their authors' tools write them."""

from typing import Any

from tests.policy.scanfixture import IMAGE

IMAGE_PURL = (
    "pkg:oci/api@"
    + (IMAGE.manifest_digest or "").replace(":", "%3A")
    + "?repository_url=registry.example.com/shop/api"
)

OPENVEX: dict[str, Any] = {
    "@context": "https://openvex.dev/ns/v0.2.0",
    "@id": "https://example.com/vex/shop-api-2026-11",
    "author": "Shop Security Team <security@example.com>",
    "role": "Document Creator",
    "timestamp": "2026-11-20T10:00:00Z",
    "version": 1,
    "statements": [
        {
            "vulnerability": {"name": "CVE-2023-44487", "aliases": ["DEBIAN-CVE-2023-44487"]},
            "products": [
                {
                    "@id": IMAGE_PURL,
                    "subcomponents": [{"@id": "pkg:deb/debian/nginx?arch=amd64"}],
                }
            ],
            "status": "not_affected",
            "justification": "vulnerable_code_not_in_execute_path",
            "impact_statement": "nginx is built without the HTTP/2 module in this image",
        },
        {
            "vulnerability": {"name": "CVE-2023-4863"},
            "products": [{"@id": "pkg:deb/debian/libwebp7"}],
            "status": "affected",
            "action_statement": "Upgrade libwebp7 to 1.2.4-0.2+deb12u1",
        },
        {
            "vulnerability": {"name": "GHSA-jfhm-5ghh-2f97"},
            "products": [{"identifiers": {"purl": "pkg:pypi/cryptography@41.0.3"}}],
            "status": "under_investigation",
        },
        {
            # Not for this image: another image's digest.
            "vulnerability": {"name": "CVE-2023-46136"},
            "products": [
                {
                    "@id": "pkg:oci/api@sha256%3A" + "0" * 64,
                    "subcomponents": [{"@id": "pkg:pypi/werkzeug"}],
                }
            ],
            "status": "not_affected",
            "justification": "component_not_present",
        },
        {
            # `fixed` needs no justification: the product ships the fix.
            "vulnerability": {"name": "CVE-2024-37891"},
            "products": [{"@id": "pkg:pypi/urllib3"}],
            "status": "fixed",
        },
    ],
}

CYCLONEDX_VEX: dict[str, Any] = {
    "bomFormat": "CycloneDX",
    "specVersion": "1.6",
    "version": 1,
    "metadata": {"timestamp": "2026-11-21T08:00:00Z"},
    "components": [
        {
            "type": "library",
            "bom-ref": "urllib3-ref",
            "name": "urllib3",
            "version": "1.26.17",
            "purl": "pkg:pypi/urllib3@1.26.17",
        },
        {
            "type": "library",
            "bom-ref": "rsa-ref",
            "name": "rsa",
            "version": "0.9.6",
            "purl": "pkg:cargo/rsa@0.9.6",
        },
    ],
    "vulnerabilities": [
        {
            "id": "CVE-2023-45803",
            "source": {"name": "NVD", "url": "https://nvd.nist.gov/vuln/detail/CVE-2023-45803"},
            "analysis": {
                "state": "not_affected",
                "justification": "code_not_reachable",
                "detail": "we never follow redirects with a body",
                "lastUpdated": "2026-11-21T08:00:00Z",
            },
            "affects": [{"ref": "urllib3-ref"}],
        },
        {
            "id": "RUSTSEC-2023-0071",
            "analysis": {"state": "exploitable", "response": ["will_not_fix"]},
            "affects": [{"ref": "rsa-ref"}],
        },
        {
            "id": "CVE-2024-37891",
            "analysis": {"state": "in_triage"},
            "affects": [{"ref": "pkg:pypi/urllib3@1.26.17"}],
        },
    ],
}

CSAF_VEX: dict[str, Any] = {
    "document": {
        "category": "csaf_vex",
        "csaf_version": "2.0",
        "publisher": {
            "category": "vendor",
            "name": "Example Shop",
            "namespace": "https://shop.example.com",
        },
        "title": "shop api VEX",
        "tracking": {
            "id": "SHOP-VEX-2026-0007",
            "status": "final",
            "version": "1",
            "initial_release_date": "2026-11-22T00:00:00Z",
            "current_release_date": "2026-11-22T00:00:00Z",
            "revision_history": [
                {"number": "1", "date": "2026-11-22T00:00:00Z", "summary": "Initial"}
            ],
        },
    },
    "product_tree": {
        "branches": [
            {
                "category": "vendor",
                "name": "Example Shop",
                "branches": [
                    {
                        "category": "product_name",
                        "name": "shop api",
                        "product": {
                            "product_id": "IMAGE",
                            "name": "shop api 1.4.2",
                            "product_identification_helper": {"purl": IMAGE_PURL},
                        },
                    }
                ],
            }
        ],
        "full_product_names": [
            {
                "product_id": "LIBSSL3",
                "name": "libssl3 3.0.11-1~deb12u2",
                "product_identification_helper": {
                    "purl": "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12"
                },
            },
            {
                "product_id": "OPENSSL",
                "name": "openssl",
                "product_identification_helper": {"purl": "pkg:deb/debian/openssl"},
            },
        ],
        "relationships": [
            {
                "category": "default_component_of",
                "product_reference": "LIBSSL3",
                "relates_to_product_reference": "IMAGE",
                "full_product_name": {"product_id": "IMAGE:LIBSSL3", "name": "libssl3 in api"},
            }
        ],
    },
    "vulnerabilities": [
        {
            "cve": "CVE-2024-5535",
            "notes": [{"category": "description", "text": "NPN overread"}],
            "product_status": {
                "known_not_affected": ["IMAGE:LIBSSL3"],
                "known_affected": ["OPENSSL"],
            },
            "flags": [
                {"label": "vulnerable_code_not_in_execute_path", "product_ids": ["IMAGE:LIBSSL3"]}
            ],
            "remediations": [
                {
                    "category": "vendor_fix",
                    "details": "upgrade to 3.0.14",
                    "product_ids": ["OPENSSL"],
                }
            ],
        }
    ],
}
