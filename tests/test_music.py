"""The music command line, run as a user would: train, compose, continue a seed file, and refuse bad seeds."""
import pretty_midi
import pytest

from lstm_book.music import Composer, load_chorales, note_array, read_midi

from .helpers import cli, one_line_error, run_main

def midi_file(path, *instruments):
    "Write a MIDI file: (is_drum, [(pitch, start, end), ...]) per instrument."
    pm = pretty_midi.PrettyMIDI()
    for drum, notes in instruments:
        inst = pretty_midi.Instrument(0, is_drum=drum)
        inst.notes = [pretty_midi.Note(90, p, s, e) for p, s, e in notes]
        pm.instruments.append(inst)
    pm.write(str(path))
    return path


@pytest.fixture(scope="module")
def model_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("music") / "chorales.pt"
    r = cli("music", "train", "--save", path, "--passes", "0.03", "--no-progress")
    assert r.returncode == 0, r.stderr
    assert f"saved {path}" in r.stdout and "nats per event" in r.stdout
    return path


def test_generate_writes_a_midi_file_of_the_requested_length(model_file, tmp_path):
    out = tmp_path / "song.mid"
    r = cli("music", "generate", "--checkpoint", model_file, "--seconds", 8, "--temperature", 0.9, "--out", out, "--seed", 1)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(f"wrote {out}:")
    pm = read_midi(out)                                   # re-reads cleanly, has notes
    assert abs(pm.get_end_time() - 8.0) < 0.2
    lo, hi = Composer.load(model_file, "cpu").pitch_range
    pitches = note_array(pm)[:, 2]
    assert lo <= pitches.min() and pitches.max() <= hi
    again = tmp_path / "again.mid"
    cli("music", "generate", "--checkpoint", model_file, "--seconds", 8, "--temperature", 0.9, "--out", again, "--seed", 1)
    assert again.read_bytes() == out.read_bytes()         # a seed makes the piece reproducible


def test_seed_midi_is_continued_and_drums_are_skipped(model_file, tmp_path):
    seed = midi_file(tmp_path / "seed.mid", (False, [(60, 0, 0.5), (64, 0.5, 1.0), (67, 1.0, 2.0)]), (True, [(36, 0, 0.25), (38, 0.5, 0.75)]))
    out = tmp_path / "continued.mid"
    r = cli("music", "generate", "--checkpoint", model_file, "--seconds", 4, "--seed-midi", seed, "--out", out, "--seed", 0)
    assert r.returncode == 0, r.stderr
    notes = note_array(read_midi(out))
    assert [tuple(n) for n in notes[notes[:, 0] < 4][:3]] == [(0, 1, 60), (1, 2, 64), (2, 4, 67)]   # the seed, in quarter notes at 120 bpm
    assert not any(i.is_drum for i in pretty_midi.PrettyMIDI(str(out)).instruments)


def test_a_real_chorale_as_seed(model_file, tmp_path):
    seed = tmp_path / "bwv269.mid"
    seed.write_bytes(load_chorales()["bwv269"])
    r = cli("music", "generate", "--checkpoint", model_file, "--seconds", 2, "--seed-midi", seed, "--out", tmp_path / "o.mid")
    assert r.returncode == 0, r.stderr
    assert len(note_array(read_midi(tmp_path / "o.mid"))) > len(note_array(read_midi(seed))) * 0.9


@pytest.mark.parametrize("kind, message", [
    ("corrupt", "is not a readable MIDI file"),
    ("truncated", "is not a readable MIDI file"),
    ("empty", "has no notes"),
    ("drums", "has only drum notes"),
])
def test_bad_seed_files_are_clear_errors(model_file, tmp_path, kind, message):
    seed = tmp_path / f"{kind}.mid"
    if kind == "corrupt": seed.write_bytes(b"this is not MIDI at all")
    elif kind == "truncated": seed.write_bytes(load_chorales()["bwv269"][:300])
    elif kind == "empty": midi_file(seed, (False, []))
    else: midi_file(seed, (True, [(36, 0, 0.5), (42, 0.5, 1.0)]))
    out = tmp_path / "out.mid"
    r = cli("music", "generate", "--checkpoint", model_file, "--seed-midi", seed, "--out", out)
    assert r.returncode == 1
    assert r.stderr.startswith("lstm-book: error: ") and str(seed) in r.stderr and message in r.stderr
    assert "Traceback" not in r.stderr and not out.exists()


def test_other_bad_input(model_file, tmp_path):
    r = cli("music", "generate", "--checkpoint", tmp_path / "missing.pt", "--out", tmp_path / "o.mid")
    assert r.returncode == 1 and "no model file at" in r.stderr
    r = cli("music", "generate", "--checkpoint", model_file, "--temperature", 0, "--out", tmp_path / "o.mid")
    assert r.returncode == 1 and "temperature must be > 0" in r.stderr
    r = cli("music", "generate", "--checkpoint", model_file, "--seconds", -3, "--out", tmp_path / "o.mid")
    assert r.returncode == 1 and "seconds must be in (0, 3600]" in r.stderr
    r = cli("music", "generate", "--checkpoint", model_file, "--seed-midi", tmp_path / "nope.mid", "--out", tmp_path / "o.mid")
    assert r.returncode == 1 and "no MIDI file at" in r.stderr
    assert not (tmp_path / "o.mid").exists()


# bad options and destinations: refused before any work, one line on stderr, nothing written

@pytest.fixture
def no_training(monkeypatch):
    import lstm_book.music as m
    monkeypatch.setattr(m, "load_chorales", lambda *a, **k: pytest.fail("started work before validating"))


@pytest.mark.parametrize("epochs", ["0", "-1", "nan", "inf"])
def test_train_refuses_bad_passes_before_any_work(capsys, tmp_path, no_training, epochs):
    code, _, err = run_main(capsys, "music", "train", "--save", tmp_path / "m.pt", "--passes", epochs)
    assert code == 1 and one_line_error(err, "--passes must be positive")
    assert list(tmp_path.iterdir()) == []


def test_train_refuses_an_unwritable_save_before_training(capsys, tmp_path, no_training):
    code, _, err = run_main(capsys, "music", "train", "--save", tmp_path)
    assert code == 1 and one_line_error(err, "--save", str(tmp_path), "is a directory")
    (tmp_path / "file").write_text("x")
    code, _, err = run_main(capsys, "music", "train", "--save", tmp_path / "file" / "m.pt")
    assert code == 1 and one_line_error(err, "--save", "is not a folder")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


@pytest.mark.parametrize("option, value, message", [
    ("--temperature", "nan", "temperature must be > 0 and finite"),
    ("--temperature", "-1", "temperature must be > 0 and finite"),
    ("--temperature", "inf", "temperature must be > 0 and finite"),
    ("--seconds", "nan", "seconds must be in (0, 3600]"),
    ("--seconds", "0", "seconds must be in (0, 3600]"),
])
def test_generate_refuses_bad_options_before_loading(capsys, tmp_path, option, value, message):
    # the checkpoint does not exist: the option must be refused first
    code, _, err = run_main(capsys, "music", "generate", "--checkpoint", tmp_path / "none.pt",
                            "--out", tmp_path / "o.mid", option, value)
    assert code == 1 and one_line_error(err, message)
    assert list(tmp_path.iterdir()) == []


def test_generate_refuses_an_unwritable_out_before_loading(capsys, tmp_path):
    code, _, err = run_main(capsys, "music", "generate", "--checkpoint", tmp_path / "none.pt", "--out", tmp_path)
    assert code == 1 and one_line_error(err, "--out", "is a directory")
    code, _, err = run_main(capsys, "music", "generate", "--checkpoint", tmp_path / "none.pt",
                            "--out", tmp_path / "o.mid", "--seed-midi", tmp_path / "nope.mid")
    assert code == 1 and one_line_error(err, "no MIDI file at")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", ["train", "generate"])
@pytest.mark.parametrize("seed", ["-1", str(2**63)])
def test_bad_seed_is_refused_before_any_work(capsys, tmp_path, no_training, command, seed):
    where = ["--save", tmp_path / "m.pt"] if command == "train" else ["--checkpoint", tmp_path / "none.pt", "--out", tmp_path / "o.mid"]
    code, _, err = run_main(capsys, "music", command, *where, "--seed", seed)
    assert code == 2 and "argument --seed: must be from 0 to 4,294,967,295" in err   # a usage error, before any import
    assert list(tmp_path.iterdir()) == []


def test_corrupted_and_wrong_kind_checkpoints_are_refused(capsys, model_file, tmp_path):
    import torch
    from lstm_book.files import save_model
    raw = torch.load(model_file, weights_only=True)
    key = next(iter(raw["model"]))
    raw["model"][key] = torch.zeros_like(raw["model"][key])    # junk weights, checksum kept
    torch.save(raw, tmp_path / "junk.pt")
    code, _, err = run_main(capsys, "music", "generate", "--checkpoint", tmp_path / "junk.pt", "--out", tmp_path / "o.mid")
    assert code == 1 and one_line_error(err, "junk.pt is corrupted")
    save_model(tmp_path / "other.pt", {"w": torch.zeros(2)}, "stocks")
    code, _, err = run_main(capsys, "music", "generate", "--checkpoint", tmp_path / "other.pt", "--out", tmp_path / "o.mid")
    assert code == 1 and one_line_error(err, "is a stocks model file, expected music")
    assert not (tmp_path / "o.mid").exists()


def test_the_pretrained_composer_is_a_checked_model_file():
    import torch
    from lstm_book.data import pretrained_path
    raw = torch.load(pretrained_path("bach-composer"), weights_only=True)
    assert raw["kind"] == "music" and raw["sha256"] and raw["quantized"]
