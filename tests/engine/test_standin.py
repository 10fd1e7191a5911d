"""The stand-in second device: it refuses what a GPU refuses, and computes what the CPU does."""

import copy

import pytest
import torch
from torch import nn

from kata.engine import standin

STANDIN = standin.device()
SAME_DEVICE = "is not on the expected device"


def _classifier() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Linear(3, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Dropout(0.3), nn.Linear(8, 2)
    )


def test_a_moved_tensor_says_where_it_is_and_holds_its_values():
    x = torch.randn(4, 3)
    moved = x.to(STANDIN)
    assert moved.device == torch.device("standin", 0) and moved.device.type == STANDIN.type
    assert x.device.type == "cpu", "Tensor.to returns a new tensor; the original stays"
    assert torch.equal(moved.cpu(), x) and moved.cpu().device.type == "cpu"
    assert moved.tolist() == x.tolist() and moved.sum().item() == pytest.approx(x.sum().item())
    assert "device='standin:0'" in repr(moved)


@pytest.mark.parametrize(
    "make",
    [
        lambda: torch.tensor([1.0, 2.0], device=STANDIN),
        lambda: torch.zeros(2, device=STANDIN),
        lambda: torch.arange(2, device=STANDIN),
        lambda: torch.randn(2, device=STANDIN),
        lambda: torch.ones(2).to(STANDIN).clone(),
    ],
    ids=["tensor", "zeros", "arange", "randn", "clone"],
)
def test_a_tensor_made_there_lives_there(make):
    assert make().device.type == STANDIN.type


def test_operands_that_live_apart_raise_as_on_a_gpu():
    model = nn.Linear(3, 2).to(STANDIN)
    with pytest.raises(RuntimeError, match=SAME_DEVICE) as raised:
        model(torch.randn(4, 3))
    assert "standin:0" in str(raised.value) and "cpu" in str(raised.value)
    with pytest.raises(RuntimeError, match=SAME_DEVICE):
        torch.randn(4, 3).to(STANDIN) + torch.randn(4, 3)
    with pytest.raises(RuntimeError, match=SAME_DEVICE):
        torch.zeros(2, device="meta") * torch.zeros(2, device=STANDIN)


def test_what_cuda_takes_from_the_cpu_it_takes_too():
    x = torch.arange(6.0).reshape(3, 2).to(STANDIN)
    assert torch.equal((x * torch.tensor(2.0)).cpu(), torch.arange(6.0).reshape(3, 2) * 2)
    assert torch.equal(x[torch.tensor([0, 2])].cpu(), torch.tensor([[0.0, 1.0], [4.0, 5.0]]))
    on_cpu = torch.zeros(3, 2)
    on_cpu.copy_(x)
    assert torch.equal(on_cpu, torch.arange(6.0).reshape(3, 2))
    with pytest.raises(RuntimeError, match=SAME_DEVICE):
        torch.arange(3.0)[torch.tensor([0]).to(STANDIN)]  # indices on a GPU, data on the cpu


def test_numpy_needs_the_cpu_first_as_on_a_gpu():
    with pytest.raises(TypeError, match="cpu"):
        torch.ones(2, device=STANDIN).numpy()
    assert torch.ones(2, device=STANDIN).numpy(force=True).tolist() == [1.0, 1.0]


def test_new_zeros_and_zeros_like_go_where_they_are_asked_to():
    x = torch.ones(2, device=STANDIN)
    assert x.new_zeros(3).device.type == STANDIN.type and torch.equal(
        x.new_zeros(3).cpu(), torch.zeros(3)
    )
    assert type(x.new_zeros(3, device="cpu")) is torch.Tensor
    assert torch.zeros_like(x).device.type == STANDIN.type
    assert torch.zeros_like(x, device="cpu").device.type == "cpu"


def test_a_boolean_mask_picks_rows_and_gradients_as_on_the_cpu():
    on_cpu = torch.randn(4, 3, requires_grad=True)
    there = on_cpu.detach().to(STANDIN).requires_grad_()
    mask = torch.tensor([True, False, True, True])
    for x, m in ((on_cpu, mask), (there, mask.to(STANDIN))):
        x[m].mean(dim=0).pow(2).sum().backward()
    torch.testing.assert_close(there.grad.cpu(), on_cpu.grad)


def test_moving_a_model_keeps_its_parameter_objects_so_an_earlier_optimizer_still_works():
    model = _classifier()
    before = list(model.parameters())
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    model.to(STANDIN)
    assert all(a is b for a, b in zip(before, model.parameters(), strict=True))
    assert all(isinstance(p, nn.Parameter) for p in model.parameters())
    assert all(t.device.type == STANDIN.type for t in model.state_dict().values())
    x, y = torch.randn(6, 3, device=STANDIN), torch.tensor([0, 1, 0, 1, 1, 0], device=STANDIN)
    nn.functional.cross_entropy(model(x), y).backward()
    weight = model[0].weight.detach().cpu()
    optimizer.step()
    assert not torch.equal(model[0].weight.detach().cpu(), weight), "the step moved nothing"
    model.to("cpu")  # back on the cpu: new Parameter objects (from CUDA, the same ones)
    assert all(p.device.type == "cpu" for p in model.parameters())


@pytest.mark.parametrize("make_optimizer", [torch.optim.SGD, torch.optim.Adam], ids=["sgd", "adam"])
def test_training_there_gives_the_numbers_training_on_the_cpu_gives(make_optimizer):
    def train(device):
        model = _classifier()
        optimizer = make_optimizer(model.parameters(), lr=0.05)
        model.to(device)
        generator = torch.Generator().manual_seed(1)
        torch.manual_seed(2)  # dropout's draws
        losses = []
        for _ in range(5):
            x = torch.randn(8, 3, generator=generator)
            y = (x[:, 0] > 0).long()
            loss = nn.functional.cross_entropy(model(x.to(device)), y.to(device))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        return losses, {k: v.cpu() for k, v in model.state_dict().items()}

    on_cpu, on_standin = train(torch.device("cpu")), train(STANDIN)
    torch.testing.assert_close(on_standin, on_cpu)


@pytest.mark.parametrize("layer", [nn.LSTM, nn.GRU, nn.RNN], ids=["lstm", "gru", "elman"])
@pytest.mark.parametrize("bias", [True, False], ids=["bias", "no-bias"])
def test_recurrent_layers_give_the_outputs_and_gradients_of_the_cpu(layer, bias):
    torch.manual_seed(0)
    on_cpu = layer(3, 4, num_layers=2, batch_first=True, bias=bias)
    there = copy.deepcopy(on_cpu).to(STANDIN)
    x = torch.randn(2, 5, 3)
    results = []
    for model, inputs in ((on_cpu, x), (there, x.to(STANDIN))):
        output, state = model(inputs)
        last = state[1] if isinstance(state, tuple) else state  # c_n for an LSTM
        (output.sum() + last.pow(2).sum()).backward()
        grads = {name: p.grad.cpu() for name, p in model.named_parameters()}
        results.append((output.detach().cpu(), grads))
    torch.testing.assert_close(results[1], results[0])
    with pytest.raises(RuntimeError, match="device"):
        there(x)


def test_views_taken_in_inference_mode_of_normal_ones_work():
    data = torch.randn(5, 3, device=STANDIN)  # a dataset's tensor, made outside
    model = nn.Linear(3, 2).to(STANDIN)
    with torch.inference_mode():
        rows = [data[i] for i in range(5)]
        out = model(torch.stack(rows))
        assert out.cpu().device.type == "cpu" and out.to(torch.float64).device == out.device
        out.cpu().zero_()  # a copy, as from a GPU
        assert out.abs().sum().item() > 0
    assert out.device.type == STANDIN.type and out.is_inference()
    torch.testing.assert_close(out.cpu(), model.cpu()(data.cpu()).detach())
    assert out.to(data).device == out.device and out.to(torch.zeros(1)).device.type == "cpu"


def test_a_shape_changed_in_place_is_the_wrappers_own():
    x = torch.randn(5, 2, 4, device=STANDIN)
    x.transpose_(0, 1)
    assert x.shape == (2, 5, 4) and x.cpu().shape == (2, 5, 4)
    x.unsqueeze_(0)
    assert x.shape == (1, 2, 5, 4) and x.cpu().shape == (1, 2, 5, 4)


def test_a_checkpoint_saved_there_loads_only_with_map_location(tmp_path):
    model = _classifier().to(STANDIN)
    path = tmp_path / "model.pt"
    torch.save(model.state_dict(), path)
    with pytest.raises(RuntimeError, match="map_location"):
        torch.load(path, weights_only=True)
    loaded = torch.load(path, weights_only=True, map_location="cpu")
    assert all(t.device.type == "cpu" for t in loaded.values())
    torch.testing.assert_close(loaded, {k: v.cpu() for k, v in model.state_dict().items()})
    fresh = nn.Sequential(
        nn.Linear(3, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Dropout(0.3), nn.Linear(8, 2)
    ).to(STANDIN)
    fresh.load_state_dict(loaded)  # copies across devices, as onto a GPU model
    x = torch.randn(4, 3, device=STANDIN)
    assert torch.equal(fresh.eval()(x).cpu(), model.eval()(x).cpu())


def test_code_that_looks_for_a_gpu_finds_none():
    assert not torch.accelerator.is_available()
    assert not torch.cuda.is_available()


def test_the_random_state_forks_and_comes_back_with_it_installed():
    # torch.random.fork_rng saves the current accelerator's state too, and that is the stand-in
    expected = torch.rand(3, generator=torch.Generator().manual_seed(0))
    torch.manual_seed(0)
    with torch.random.fork_rng():
        torch.rand(3)
    torch.testing.assert_close(torch.rand(3), expected)
