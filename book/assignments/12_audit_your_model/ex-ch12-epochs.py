"""Autograder check of exercise ex-ch12-epochs (chapter 12): the network trained 5 epochs."""

import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "ex-ch12-epochs"
points = 1
ANSWER = {
    "short_box": "the black box (images in, class probabilities out) of the chapter's network "
    "trained for 5 epochs",
    "r5": "the audit of short_box on the chapter's members and non-members",
}
WRONG = (
    "short_box = black_box\n"
    "r5 = audit(short_box, fmnist.X[:1000], fmnist.y[:1000],\n"
    "           fmnist.X[1000:3000], fmnist.y[1000:3000], random_state=SEED)"
)


def _reference_train_accuracy(images, labels, SEED):
    """The train accuracy of the chapter's network after 5 epochs (its own recipe)."""
    import torch

    torch.manual_seed(SEED)
    net = torch.nn.Sequential(
        torch.nn.Conv2d(1, 16, 5), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(16, 32, 5), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(512, 64), torch.nn.ReLU(),
        torch.nn.Linear(64, 10),
    )  # fmt: skip
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    gen = torch.Generator().manual_seed(SEED)
    for _ in range(5):
        for batch in torch.randperm(len(images), generator=gen).split(64):
            value = torch.nn.functional.cross_entropy(net(images[batch]), labels[batch])
            opt.zero_grad()
            value.backward()
            opt.step()
    with torch.no_grad():
        return float((net(images).argmax(1) == labels).float().mean())


@test_case()
def test_report(short_box, r5, fmnist):
    from mia_lib.metrics import auc

    assert r5.n_members == 1000 and r5.n_non_members == 2000, (
        "r5 must audit the chapter's 1,000 members and 2,000 non-members"
    )
    P_in = np.asarray(short_box(fmnist.X[:1000]))
    P_out = np.asarray(short_box(fmnist.X[1000:3000]))
    assert np.isclose(r5.train_accuracy, np.mean(P_in.argmax(1) == fmnist.y[:1000])), (
        "r5's train accuracy is not short_box's accuracy on the members"
    )
    assert np.isclose(r5.test_accuracy, np.mean(P_out.argmax(1) == fmnist.y[1000:3000])), (
        "r5's test accuracy is not short_box's accuracy on the non-members"
    )
    p_true = np.r_[
        P_in[np.arange(1000), fmnist.y[:1000]], P_out[np.arange(2000), fmnist.y[1000:3000]]
    ]
    want = auc(np.r_[np.ones(1000), np.zeros(2000)], p_true)
    assert np.isclose(r5.attack("loss").auc, want, atol=1e-3), (
        "r5's loss attack does not score short_box's answers"
    )


@test_case()
def test_five_epochs(short_box, fmnist, images, labels, SEED):
    P_in = np.asarray(short_box(fmnist.X[:1000]))
    got = float(np.mean(P_in.argmax(1) == fmnist.y[:1000]))
    want = _reference_train_accuracy(images, labels, SEED)
    assert abs(got - want) < 0.05, (
        f"short_box's train accuracy is {got:.3f}; the chapter's network after 5 epochs "
        f"reaches about {want:.3f}: is it trained for 5 epochs, from scratch?"
    )
