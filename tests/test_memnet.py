"""The memory-network chapter's loader for the original bAbI archive, against a server on 127.0.0.1
serving an archive with the real layout (tasks_1-20_v1-2/en/..., en-10k/...) and the v1.2 format."""
import hashlib
import io
import tarfile

import pytest

from lstm_book.data import DownloadError
from lstm_book.memnet import babi_member, generate_babi, load_babi, parse_babi


def archive(files: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(name); info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


@pytest.fixture
def babi_server(server):
    base, handler = server
    keys = [(t, size, split) for t in (1, 2) for size in ("1k", "10k") for split in ("train", "test")]
    files = {babi_member(*k): generate_babi(k[0], 30, seed=i) for i, k in enumerate(keys)}
    body = archive(files)
    handler.files["/babi.tar.gz"] = body
    return f"{base}/babi.tar.gz", hashlib.sha256(body).hexdigest(), files


def test_reads_every_file_of_the_archive(babi_server, tmp_path):
    url, sha, files = babi_server
    for (task, size, split) in [(1, "1k", "train"), (2, "10k", "test")]:
        got = load_babi(task, size, split, url=url, sha256=sha, dest=tmp_path / "babi.tar.gz", progress=False)
        want = parse_babi(files[babi_member(task, size, split)])
        assert [(q.story, q.question, q.answer, q.support) for q in got] == [(q.story, q.question, q.answer, q.support) for q in want]
    assert babi_member(2, "10k", "test") == "tasks_1-20_v1-2/en-10k/qa2_two-supporting-facts_test.txt"


def test_wrong_checksum_leaves_nothing(babi_server, tmp_path):
    url, sha, _ = babi_server
    with pytest.raises(DownloadError, match="checksum mismatch"):
        load_babi(1, url=url, sha256="0" * 64, dest=tmp_path / "babi.tar.gz", progress=False)
    assert list(tmp_path.iterdir()) == []


def test_missing_member_and_bad_arguments(babi_server, tmp_path):
    url, sha, _ = babi_server
    with pytest.raises(ValueError, match="has no tasks_1-20_v1-2/en/qa3_three-supporting-facts_train.txt"):
        load_babi(3, url=url, sha256=sha, dest=tmp_path / "babi.tar.gz", progress=False)
    with pytest.raises(ValueError, match="task must be one of"):
        load_babi(20, url=url, sha256=sha, dest=tmp_path / "babi.tar.gz")
    with pytest.raises(ValueError, match="split must be"):
        load_babi(1, split="valid", url=url, sha256=sha, dest=tmp_path / "babi.tar.gz")


def test_batches_come_from_a_dataloader_in_a_seeded_order():
    import torch
    from torch.utils.data import DataLoader
    from lstm_book.memnet import QABatches, babi_data
    _, data, _ = babi_data(1, train_size=60, test_size=10)
    batches = QABatches(data["train"], batch_size=8, seed=4, noise=0.3)
    assert isinstance(batches, DataLoader) and len(batches) == 7
    state = torch.get_rng_state()
    first = [b[2].tolist() for b in batches]
    assert torch.equal(state, torch.get_rng_state())                      # the global generator is untouched
    order = torch.randperm(54, generator=torch.Generator().manual_seed(4)).tolist()
    assert sum(first, []) == data["train"]["answers"][order].tolist()
    again = [b[2].tolist() for b in QABatches(data["train"], batch_size=8, seed=4, noise=0.3)]
    assert again == first and [b[2].tolist() for b in batches] != first   # a new order every pass
