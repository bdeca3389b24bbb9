"""ruby/gemspec and ruby/gemfile-lock, checked against RubyGems' and Bundler's own parsers."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from seawall.catalog.base import CatalogContext, CatalogFile
from seawall.catalog.lang.ruby import GemfileLockCataloger, GemspecCataloger
from seawall.catalog.lang.ruby.gemspec import parse_gemspec

RUBY = shutil.which("ruby")
BUNDLE = shutil.which("bundle")
needs_ruby = pytest.mark.skipif(RUBY is None, reason="ruby not installed")

LOAD_SPECS = """
require "json"
puts(ARGV.map { |path|
  spec = Gem::Specification.load(path)
  [path, spec.name, spec.version.to_s, spec.platform.to_s, spec.licenses]
}.to_json)
"""


@needs_ruby
def test_installed_gemspecs_agree_with_rubygems() -> None:
    paths = sorted(
        str(path)
        for pattern in (
            "/usr/share/rubygems-integration/*/specifications/*.gemspec",
            "/usr/lib/ruby/gems/*/specifications/*.gemspec",
            "/usr/lib/ruby/gems/*/specifications/default/*.gemspec",
            "/var/lib/gems/*/specifications/*.gemspec",
        )
        for path in Path("/").glob(pattern.lstrip("/"))
    )
    assert len(paths) >= 10
    reference = json.loads(
        subprocess.run(
            [RUBY or "ruby", "-e", LOAD_SPECS, *paths], check=True, capture_output=True, text=True
        ).stdout
    )
    cataloger = GemspecCataloger()
    files = [CatalogFile(path, Path(path).read_bytes(), 1) for path in paths]
    assert all(cataloger.wants(path) for path in paths)
    result = cataloger.catalog(files, CatalogContext())
    assert result.problems == ()
    found = [[p.locations[0].path, p.name, p.version, list(p.licenses)] for p in result.packages]
    assert found == [
        [path, name, version, licenses] for path, name, version, _, licenses in reference
    ]


def test_gemspec_forms_rubygems_and_gem2deb_write() -> None:
    text = (
        "# -*- encoding: utf-8 -*-\n# stub: nokogiri 1.16.3 x86_64-linux lib\n\n"
        "Gem::Specification.new do |s|\n"
        '  s.name = "nokogiri".freeze\n'
        '  s.version = "1.16.3"\n'
        '  s.platform = "x86_64-linux".freeze\n'
        '  s.licenses = ["MIT".freeze]\n'
        "end\n"
    )
    assert parse_gemspec(text) == ("nokogiri", "1.16.3", "x86_64-linux", ("MIT",))
    old = (
        "Gem::Specification.new do |spec|\n  spec.name = %q{json}\n"
        "  spec.version = Gem::Version.new('2.1.0')\n  spec.license = 'Ruby'\nend\n"
    )
    assert parse_gemspec(old) == ("json", "2.1.0", None, ("Ruby",))
    stub_only = "# stub: thor 1.3.0 ruby lib\n"
    assert parse_gemspec(stub_only) == ("thor", "1.3.0", "ruby", ())
    result = GemspecCataloger().catalog(
        [
            CatalogFile("/g/specifications/nokogiri-1.16.3-x86_64-linux.gemspec", text.encode()),
            CatalogFile("/g/specifications/empty.gemspec", b"# nothing here\n"),
        ],
        CatalogContext(),
    )
    assert [p.purl for p in result.packages] == ["pkg:gem/nokogiri@1.16.3?platform=x86_64-linux"]
    assert result.problems == (
        "/g/specifications/empty.gemspec: no gem name and version assignment found",
    )
    assert not GemspecCataloger().wants("/src/app/app.gemspec")


BUNDLER_SPECS = """
require "bundler"
require "json"
parser = Bundler::LockfileParser.new(File.read(ARGV[0]))
puts(parser.specs.map { |s|
  [s.name, s.version.to_s, s.platform.to_s, s.dependencies.map(&:name)]
}.to_json)
"""


@pytest.mark.skipif(BUNDLE is None or RUBY is None, reason="ruby/bundler not installed")
def test_bundle_lock_output_agrees_with_bundlers_parser(tmp_path: Path) -> None:
    (tmp_path / "Gemfile").write_text(
        'source "https://rubygems.org"\ngem "rake"\ngem "minitest"\ngem "test-unit"\n'
    )
    env = {**os.environ, "HOME": str(tmp_path), "BUNDLE_USER_HOME": str(tmp_path / ".bundle")}
    subprocess.run(
        [BUNDLE or "bundle", "lock", "--local"],
        cwd=tmp_path,
        env=env,
        check=True,
        capture_output=True,
    )
    lockfile = tmp_path / "Gemfile.lock"
    _check_against_bundler(lockfile)


HAND_WRITTEN = """\
GIT
  remote: https://github.com/example/widget.git
  revision: 0123456789abcdef
  specs:
    widget (0.3.0)
      nokogiri (>= 1.10)

PATH
  remote: .
  specs:
    myapp (1.0.0)
      widget

GEM
  remote: https://rubygems.org/
  specs:
    mini_portile2 (2.8.5)
    nokogiri (1.16.3)
      mini_portile2 (~> 2.8.2)
      racc (~> 1.4)
    nokogiri (1.16.3-x86_64-linux)
      racc (~> 1.4)
    racc (1.7.3)

PLATFORMS
  ruby
  x86_64-linux

DEPENDENCIES
  myapp!
  nokogiri

BUNDLED WITH
   2.5.6
"""


@needs_ruby
def test_sources_platforms_and_dependencies(tmp_path: Path) -> None:
    lockfile = tmp_path / "Gemfile.lock"
    lockfile.write_text(HAND_WRITTEN)
    (tmp_path / "Gemfile").write_text('gem "nokogiri"\n')
    result = _check_against_bundler(lockfile)
    edges = {(r.parent, r.child) for r in result.relationships}
    assert ("pkg:gem/widget@0.3.0", "pkg:gem/nokogiri@1.16.3") in edges
    assert ("pkg:gem/widget@0.3.0", "pkg:gem/nokogiri@1.16.3?platform=x86_64-linux") in edges
    assert ("pkg:gem/nokogiri@1.16.3?platform=x86_64-linux", "pkg:gem/racc@1.7.3") in edges
    assert len(edges) == 6


def _check_against_bundler(lockfile: Path):  # type: ignore[no-untyped-def]
    reference = json.loads(
        subprocess.run(
            [RUBY or "ruby", "-e", BUNDLER_SPECS, str(lockfile)],
            cwd=lockfile.parent,  # Bundler wants a Gemfile beside the lockfile
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    result = GemfileLockCataloger().catalog(
        [CatalogFile("/app/Gemfile.lock", lockfile.read_bytes(), 3)], CatalogContext()
    )
    assert result.problems == ()
    found = {(p.name, p.version, p.purl) for p in result.packages}
    expected = {
        (
            name,
            version,
            f"pkg:gem/{name}@{version}" + ("" if platform == "ruby" else f"?platform={platform}"),
        )
        for name, version, platform, _ in reference
    }
    assert found == expected
    by_purl = {}
    for name, version, platform, deps in reference:
        purl = f"pkg:gem/{name}@{version}" + ("" if platform == "ruby" else f"?platform={platform}")
        by_purl[purl] = set(deps)
    children: dict[str, set[str]] = {purl: set() for purl in by_purl}
    names = {p.purl: p.name for p in result.packages}
    for relationship in result.relationships:
        children[relationship.parent].add(names[relationship.child])
    assert children == by_purl
    return result


def test_not_a_lockfile_is_a_problem() -> None:
    result = GemfileLockCataloger().catalog(
        [CatalogFile("/x/Gemfile.lock", b"hello\n"), CatalogFile("/y/Gemfile.lock", b"\xff")],
        CatalogContext(),
    )
    assert result.packages == ()
    assert result.problems[0] == "/x/Gemfile.lock: no `specs:` section: not a Bundler lockfile"
    assert result.problems[1].startswith("/y/Gemfile.lock: not UTF-8")
