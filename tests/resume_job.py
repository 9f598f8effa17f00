"""A training job for tests/test_training.py, run in its own process.

    python tests/resume_job.py straight OUT           4 epochs in one go
    python tests/resume_job.py interrupt CKDIR        killed (KeyboardInterrupt) mid-way through epoch 3
    python tests/resume_job.py resume CKDIR OUT       resume from CKDIR/last.pt to epoch 4

The model uses dropout and the data is shuffled every epoch, so the resumed run
matches only if model, optimizer, scheduler and every RNG state are restored.
"""
import sys

import torch
from torch import nn

from lstm_book.training import FitConfig, fit, seed_everything

EPOCHS, BATCHES = 4, 8


def make(seed):
    seed_everything(seed)
    model = nn.Sequential(nn.Linear(6, 32), nn.Tanh(), nn.Dropout(0.3), nn.Linear(32, 1))
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.8)
    g = torch.Generator().manual_seed(0)
    x = torch.randn(BATCHES * 16, 6, generator=g)
    data = torch.utils.data.TensorDataset(x, x.sum(1, keepdim=True).sin())
    loader = torch.utils.data.DataLoader(data, batch_size=16, shuffle=True)
    return model, opt, sched, loader


def main(mode, path, out=None):
    calls = {"n": 0}

    def step(model, batch, state):
        calls["n"] += 1
        if mode == "interrupt" and calls["n"] == 2 * (BATCHES + 1) + 3:  # inside epoch 3
            raise KeyboardInterrupt
        x, y = batch
        return nn.functional.mse_loss(model(x), y), len(x), None

    model, opt, sched, loader = make(seed=0 if mode != "resume" else 12345)
    cfg = FitConfig(epochs=EPOCHS, progress=False, log=False, checkpoint_dir=None if mode == "straight" else path,
                    resume=mode == "resume")
    hist = fit(model, loader, [next(iter(loader))], step, opt, sched, cfg)
    torch.save({"model": model.state_dict(), "epochs": hist.epoch.tolist()}, out or path)


if __name__ == "__main__":
    main(*sys.argv[1:])
