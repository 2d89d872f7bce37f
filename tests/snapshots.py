"""A network's parameters before a call, to check that a call which failed
changed nothing, bit for bit (tests of bad arguments, overflow and loading)."""

from bpcode import Network


def softmax_net(**kwargs):
    return Network([3, 4, 2], output="softmax", cost="cross_entropy", seed=0, **kwargs)


def snapshot(net):
    return [a.copy() for l in sorted(net.W) for a in (net.W[l], net.b[l])]


def assert_unchanged(net, snap):
    now = [a for l in sorted(net.W) for a in (net.W[l], net.b[l])]
    assert len(now) == len(snap)
    for a, b in zip(now, snap, strict=True):
        assert a.dtype == b.dtype and a.tobytes() == b.tobytes()
