"""The notes' network written in torch and JAX for timing: forward only, autograd backward.

Kept apart from ``comparisons`` (whose twins are written for checking, not speed): here
torch runs eager autograd the way a user would, and JAX runs ``jit(value_and_grad)``.
"""

from __future__ import annotations


def torch_step_fn(torch, X, y, params, reg):
    F = torch.nn.functional
    t = {k: torch.from_numpy(v.copy()).requires_grad_(True) for k, v in params.items()}
    tX, ty = torch.from_numpy(X), torch.from_numpy(y)

    def step():
        for v in t.values():
            v.grad = None
        Z2 = F.relu(tX @ t["W1"] + t["b1"]) @ t["W2"] + t["b2"]
        loss = F.cross_entropy(Z2, ty) + 0.5 * reg * (t["W1"].square().sum()
                                                      + t["W2"].square().sum())
        loss.backward()
        return loss
    return step


def jax_step_fn(jax, X, y, params, reg):
    jnp = jax.numpy
    jp = {k: jnp.asarray(v) for k, v in params.items()}
    jX, jy = jnp.asarray(X), jnp.asarray(y)

    def loss(p):
        Z2 = jax.nn.relu(jX @ p["W1"] + p["b1"]) @ p["W2"] + p["b2"]
        nll = -jnp.mean(jnp.take_along_axis(jax.nn.log_softmax(Z2), jy[:, None], axis=1))
        return nll + 0.5 * reg * (jnp.sum(p["W1"] ** 2) + jnp.sum(p["W2"] ** 2))

    value_and_grad = jax.jit(jax.value_and_grad(loss))
    jax.block_until_ready(value_and_grad(jp))          # compile outside the timing

    def step():
        return jax.block_until_ready(value_and_grad(jp))
    return step
