"""Deterministic embeddings: a per-word random vector + role + meaning features + position.

In d_model = 12,288 dimensions independent random directions are nearly orthogonal
(their cosine is about 1/sqrt(d) ~ 0.009), so every word, role, feature and position
gets its own direction and they barely interfere: that is what lets a hand-designed
head read "is this a noun?" off an embedding with one dot product.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .text import Token


@dataclass(frozen=True)
class EmbeddingSettings:
    """Weights of the parts of an embedding (see assets/heads.toml)."""

    base: float = 1.0
    role: float = 1.0
    feature: float = 1.0
    position: float = 0.7
    noise: float = 0.35

    def weight_of(self, feature: str) -> float:
        """How strongly a feature direction is present in an embedding that has it."""
        if feature.startswith("role:"):
            return self.role
        if feature.startswith("position:"):
            return self.position
        return self.feature


def stable_seed(*parts: str) -> int:
    """A 64-bit integer from strings, identical in every process and on every machine
    (Python's own ``hash`` is salted per process, so it cannot be used)."""
    digest = hashlib.blake2b("\x1f".join(parts).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little")


def rng_for(seed: int, *names: str) -> np.random.Generator:
    """The only source of randomness: a generator seeded by the run seed and a name."""
    return np.random.default_rng([seed, stable_seed(*names)])


@lru_cache(maxsize=8192)
def _direction(name: str, dim: int, seed: int) -> np.ndarray:
    v = rng_for(seed, "direction", name).standard_normal(dim)  # (dim,)
    v /= np.linalg.norm(v)
    v.setflags(write=False)
    return v


def direction(name: str, dim: int, seed: int) -> np.ndarray:
    """The unit vector that stands for ``name`` ("word:mole", "role:adj", "position:3")."""
    return _direction(name, dim, seed)


def token_directions(token: Token, position: int) -> list[tuple[str, str]]:
    """The named parts of one token's embedding, as (kind, name) pairs."""
    parts = [("base", f"word:{token.text.lower()}")]
    if token.role is not None:
        parts.append(("role", f"role:{token.role}"))
    parts += [("feature", f) for f in token.features]
    parts += [("feature", r) for r in token.relations]  # e.g. "modifies:3" (grammar.py)
    parts.append(("position", f"position:{position}"))
    return parts


def embed_parts(
    tokens: tuple[Token, ...], d_model: int, settings: EmbeddingSettings, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """The two parts of the initial embeddings, as in a real transformer:
    what the word is (the same for the same word anywhere) and where it stands.

    Returns ``(E_token, E_position)``, each (n, d_model); ``E = E_token + E_position``.
    Entries are O(1) (norms ~ sqrt(d_model)).
    """
    weights = {"base": settings.base, "role": settings.role, "feature": settings.feature}
    E_token = np.zeros((len(tokens), d_model))  # (n, d_model)
    E_position = np.zeros((len(tokens), d_model))  # (n, d_model)
    for i, token in enumerate(tokens):
        for kind, name in token_directions(token, i):
            if kind == "position":
                E_position[i] = settings.position * direction(name, d_model, seed)
            else:
                E_token[i] += weights[kind] * direction(name, d_model, seed)
    return np.sqrt(d_model) * E_token, np.sqrt(d_model) * E_position


def embed(
    tokens: tuple[Token, ...], d_model: int, settings: EmbeddingSettings, seed: int
) -> np.ndarray:
    """Initial embeddings E = word part + position part, one row per token: (n, d_model)."""
    E_token, E_position = embed_parts(tokens, d_model, settings, seed)
    return E_token + E_position  # (n, d_model)
