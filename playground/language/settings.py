"""The language-models page's setup in the address bar (lesson links): the open tab, the texts
(through the one validation layer, at most the text areas' length) and each task's options."""
from __future__ import annotations

from .. import query as Q
from ..transformer.fill_blank import MAX_WORDS_CHARS
from .tasks import MAX_CHARS, TARGETS

EXAMPLES = {
    "sent_text": "The film started slowly, but the acting was wonderful and the ending made me smile.",
    "t5_text": ("Honeybees live in colonies of up to sixty thousand insects. A single queen lays the "
                "eggs, while thousands of female workers collect nectar and pollen, build the wax "
                "comb, feed the young and defend the hive. In winter the bees cluster together and "
                "shiver their flight muscles to keep the queen warm. Farmers depend on bees to "
                "pollinate crops such as apples, almonds and blueberries, and the loss of wild and "
                "managed colonies worries scientists around the world."),
    "mask_text": "The capital of France is [MASK].",
}
OWN_MASK_TEXT = "And [MASK] said unto Abraham, Where is Sarah thy wife?"   # the own GPT's example
MODELS = ("own", "fill_mask")       # fill in the blank: the app's own GPT or BERT from the hub
TABS = ("sent", "t5", "mask")
T5_MODES = ("summary", *TARGETS)
DEFAULTS = {"tab": "sent", **EXAMPLES, "t5_mode": "summary", "mask_k": 5, "model": "fill_mask",
            "mask_words": ""}
PARSERS = {"tab": Q.choice(TABS), "sent_text": Q.text(MAX_CHARS), "t5_text": Q.text(MAX_CHARS),
           "mask_text": Q.text(MAX_CHARS), "t5_mode": Q.choice(T5_MODES), "mask_k": Q.integer(3, 10),
           "model": Q.choice(MODELS), "mask_words": Q.text(MAX_WORDS_CHARS)}


def from_query(q) -> tuple[dict, list[str]]:
    return Q.parse(q, PARSERS)


def to_query(values: dict) -> dict:
    return Q.write({k: values.get(k, v) for k, v in DEFAULTS.items()}, DEFAULTS)
