import torch
import torch.nn.functional as F


def loss_and_grads(params, X, y, reg=0.0):
    """Let torch's autograd do the backward pass (float64 throughout)."""
    p = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in params.items()}
    X = torch.tensor(X, dtype=torch.float64)
    target = torch.tensor(y) if y.ndim == 1 else torch.tensor(y, dtype=torch.float64)
    scores = torch.relu(X @ p["W1"] + p["b1"]) @ p["W2"] + p["b2"]
    loss = F.cross_entropy(scores, target)
    loss = loss + 0.5 * reg * ((p["W1"] ** 2).sum() + (p["W2"] ** 2).sum())
    loss.backward()
    return loss.item(), {k: v.grad.numpy() for k, v in p.items()}
