"""serve-sim's prefix cache: which leading part of a prompt a server with automatic prefix
caching would not have to prefill again.

Like vLLM, the prompt is cut into fixed-size blocks and each block is keyed by a hash chained
over every block before it, so a block only hits when the whole prefix up to it matches. The
simulator has no tokenizer: a block is `block_tokens` tokens under the offline estimate
(4 characters each), which is exact for loadgen's synthetic prompts.
"""

from __future__ import annotations

from collections import OrderedDict


class PrefixCache:
    def __init__(self, block_tokens: int = 16, capacity_blocks: int = 65536):
        self.block_chars = 4 * block_tokens
        self.block_tokens = block_tokens
        self.capacity = capacity_blocks
        self.blocks: OrderedDict[int, None] = OrderedDict()
        self.queries = 0       # prompt tokens looked up (Prometheus: prefix_cache_queries)
        self.hits = 0          # of which found cached

    def lookup_and_insert(self, text: str, prompt_tokens: int) -> int:
        """Cached tokens of this prompt; afterwards every full block of it is cached."""
        bc = self.block_chars
        h = 0
        hit_blocks = 0
        missed = False
        blocks = self.blocks
        for i in range(len(text) // bc):
            h = hash((h, text[i * bc:(i + 1) * bc]))
            if not missed and h in blocks:
                hit_blocks += 1
                blocks.move_to_end(h)
            else:
                missed = True
                blocks[h] = None
        while len(blocks) > self.capacity:
            blocks.popitem(last=False)
        cached = min(prompt_tokens, hit_blocks * self.block_tokens)
        self.queries += prompt_tokens
        self.hits += cached
        return cached
