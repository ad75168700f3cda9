"""`academy content publish | history | restore` as a lecturer's helper runs them on the server."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.cli.test_main import academy
from tests.conftest import SAMPLE_CONTENT


def test_publish_history_and_restore(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT, content)
    draft = tmp_path / "drafts" / "sample"
    shutil.copytree(SAMPLE_CONTENT / "courses" / "sample", draft)
    lesson = draft / "lessons" / "good-photos.en.md"
    env = {"CONTENT_DIR": str(content)}

    lesson.write_text(lesson.read_text().replace("answer: 1", "answer: 9"))
    refused = academy(tmp_path, "content", "publish", str(draft), **env)
    assert refused.returncode == 1 and "good-photos.en.md" in refused.stdout
    assert "Not published" in refused.stdout
    assert not (content / "courses" / "sample").is_symlink()

    lesson.write_text(
        lesson.read_text().replace("answer: 9", "answer: 1").replace("cannot", "never")
    )
    published = academy(tmp_path, "content", "publish", str(draft), **env)
    assert published.returncode == 0, published.stderr
    assert "Published sample version 2." in published.stdout
    served = content / "courses" / "sample" / "lessons" / "good-photos.en.md"
    assert "Buyers never touch" in served.read_text()

    restored = academy(tmp_path, "content", "restore", "sample", "1", **env)
    assert "Restored sample version 1 as version 3." in restored.stdout, restored.stderr
    assert "Buyers cannot touch" in served.read_text()

    history = academy(tmp_path, "content", "history", "sample", **env)
    assert history.returncode == 0, history.stderr
    numbers = [line.split()[1] for line in history.stdout.splitlines() if line[:2] == "│ "]
    assert [n for n in numbers if n.isdigit()] == ["3", "2", "1"]
    assert "(served)" in history.stdout and "restore of" in history.stdout

    unknown = academy(tmp_path, "content", "restore", "sample", "8", **env)
    assert unknown.returncode == 1 and "no version 8" in unknown.stderr
