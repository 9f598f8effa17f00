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


# A sample in the original bAbI v1.2 layout, written as the real files are: numbered lines, a tab
# before the answer and before the supporting line numbers, a trailing space after the question.
SAMPLE = {
    "train": ("1 Mary moved to the bathroom.\n2 John went to the hallway.\n"
              "3 Where is Mary? \tbathroom\t1\n4 Daniel went back to the hallway.\n"
              "5 Sandra moved to the garden.\n6 Where is Daniel? \thallway\t4\n"
              "1 Sandra travelled to the office.\n2 Where is Sandra? \toffice\t1\n") * 5,
    "test": "1 John went to the kitchen.\n2 Mary went to the garden.\n3 Where is John? \tkitchen\t1\n",
}


def write_sample(root):
    for split, text in SAMPLE.items():
        f = root / babi_member(1, "1k", split)
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(text)
    return root


def test_load_babi_reads_local_copies_in_the_original_format(tmp_path):
    root = write_sample(tmp_path / "unpacked")
    want = [(q.story, q.question, q.answer, q.support) for q in parse_babi(SAMPLE["train"])]
    assert want[1] == (["Mary moved to the bathroom.", "John went to the hallway.",
                        "Daniel went back to the hallway.", "Sandra moved to the garden."],
                       "Where is Daniel?", "hallway", [2])
    packed = tmp_path / "babi.tar.gz"
    packed.write_bytes(archive({babi_member(1, "1k", s): t for s, t in SAMPLE.items()}))
    member = root / babi_member(1, "1k", "train")
    for where in (root, member.parent, member, packed):
        got = load_babi(1, "1k", "train", path=where)
        assert [(q.story, q.question, q.answer, q.support) for q in got] == want
    with pytest.raises(ValueError, match="holds no en-10k/qa1_"):
        load_babi(1, "10k", "train", path=root)
    with pytest.raises(FileNotFoundError, match="no "):
        load_babi(1, path=tmp_path / "missing")
    (tmp_path / "binary.txt").write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ValueError, match="not a bAbI text file"):
        load_babi(1, path=tmp_path / "binary.txt")


def test_the_real_tasks_in_one_call(tmp_path):
    from lstm_book.memnet import QATrainConfig, babi_data, babi_runs
    root = write_sample(tmp_path)
    vocab, data, qas = babi_data(1, path=root)
    assert {k: len(v["answers"]) for k, v in data.items()} == {"train": 14, "valid": 1, "test": 1}
    runs, model = babi_runs(1, QATrainConfig(epochs=1, linear_start=False), seeds=(0, 1),
                            path=root, hops=1, dim=8)
    assert runs.seed.tolist() == [0, 1] and model.cfg.hops == 1
    assert set(runs.columns) >= {"valid error", "test error"}


def test_memnet_model_files(tmp_path):
    import torch
    from lstm_book.files import ModelFileError, save_model
    from lstm_book.memnet import MemConfig, MemN2N, babi_data
    vocab, _, _ = babi_data(1, train_size=40, test_size=10)
    net = MemN2N(MemConfig(len(vocab), dim=8, hops=2), vocab)
    net.save(tmp_path / "m.pt")
    back = MemN2N.load(tmp_path / "m.pt")
    story = ["Mary went to the kitchen.", "John moved to the garden."]
    assert back.answer(story, "Where is Mary?")[0] == net.answer(story, "Where is Mary?")[0]
    raw = torch.load(tmp_path / "m.pt", weights_only=True)
    raw["model"]["E.1.weight"][4, 0] += 1
    torch.save(raw, tmp_path / "bad.pt")
    with pytest.raises(ModelFileError, match="do not match their checksum"):
        MemN2N.load(tmp_path / "bad.pt")
    save_model(tmp_path / "lm.pt", net, "lm")
    with pytest.raises(ModelFileError, match="expected memnet"):
        MemN2N.load(tmp_path / "lm.pt")
    raw = torch.load(tmp_path / "m.pt", weights_only=True)
    raw["config"]["colour"] = "blue"
    torch.save(raw, tmp_path / "odd.pt")
    with pytest.raises(ModelFileError, match="unknown MemConfig field 'colour'"):
        MemN2N.load(tmp_path / "odd.pt")


def test_training_config_is_checked():
    from lstm_book.memnet import QATrainConfig
    from lstm_book.training import FitConfig
    assert isinstance(QATrainConfig(), FitConfig)
    with pytest.raises(ValueError, match="'adam' or 'sgd'"):
        QATrainConfig(optimizer="adagrad")
    with pytest.raises(ValueError, match="must be positive"):
        QATrainConfig(anneal_every=0)
