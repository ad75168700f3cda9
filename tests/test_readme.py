"""The README documents every setting, so the table cannot drift from the code."""

from pathlib import Path

from bot.config import Settings

README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_in_the_readme_table() -> None:
    missing = [
        name.upper() for name in Settings.model_fields if f"| `{name.upper()}` |" not in README
    ]
    assert missing == []


def test_the_readme_shows_the_two_commands() -> None:
    assert "make run" in README and "make test" in README


def test_the_layout_lists_every_package() -> None:
    bot = Path(__file__).parents[1] / "bot"
    layout = README.split("## Layout", 1)[1]
    packages = sorted(p.name for p in bot.iterdir() if (p / "__init__.py").is_file())
    assert [name for name in packages if f"bot/{name}/" not in layout] == []
