"""Suggest taxonomy concepts for framework items the workbench has never seen.

The evidence is the taxonomy itself (labels, definitions, English, Russian and Kazakh aliases) and the
curated crosswalk (items already mapped to each concept). Texts are compared as TF-IDF vectors
of character n-grams, which copes with English and Russian word forms alike without a stemmer.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.analysis.agreement import primary_codes
from workbench.model.defaults import WORDS_THRESHOLD
from workbench.model.schema import CARRYING_PREDICATES as EVIDENCE_PREDICATES  # a curated item is an example of what it carries
from workbench.model.validate import check_number

__all__ = [
    "ConceptSuggester",
    "normalise_text",
    "item_text",
    "text_language",
    "text_script",
    "suggest_frame",
    "evaluate_leave_one_framework_out",
    "SUGGEST_COLUMNS",
    "UNKNOWN_LANGUAGE",
]

SUGGEST_COLUMNS = ["framework_id", "item_code", "rank", "concept_id", "score", "needs_review"]

_MIN_WORD = 4
_STEM = 5
#: What :func:`text_language` answers for a text in none of the taxonomy's languages.
UNKNOWN_LANGUAGE = "unknown"
#: Letters of the Kazakh Cyrillic alphabet that Russian lacks: their presence tells kk from ru.
_KAZAKH_LETTERS = re.compile("[әғқңөұүһіӘҒҚҢӨҰҮҺІ]")
#: Letters of other languages written in Cyrillic that Russian and Kazakh lack (Ukrainian, Belarusian,
#: Serbian, Macedonian): a text holding one is in none of the taxonomy's languages.
_OTHER_CYRILLIC = re.compile("[їєґўђјљњћџѓќѕЇЄҐЎЂЈЉЊЋЏЃЌЅ]")
#: Ukrainian words a Kazakh text never holds: with them, the і Kazakh shares with Ukrainian is Ukrainian's.
_UKRAINIAN_WORDS = frozenset({"і", "та", "що", "це", "від", "які", "який", "яка", "його", "її", "державна", "державної"})
#: Frequent English function words, and those of other languages written in Latin script
#: (French, German, Spanish, Italian, Portuguese, Latin-script Kazakh) that are not English
#: words too: a stop-word vote tells English from the rest, the usual cheap language check.
_ENGLISH_WORDS = frozenset(
    "the of and to in for on with by as at from is are be was were been has have had or an a that "
    "this these those which its their our his her they we it who what how will would should must "
    "can could may not but if than also only into about after before between under over such all "
    "any each other more most many some no new two one".split()
)
_OTHER_WORDS = frozenset(
    "le la les des du et est une un dans pour sur par qui que au aux ces sont avec "  # French
    "der das und ist ein eine nicht mit den dem zu auf sich von im "  # German
    "el los las del y es por una con para como se al "  # Spanish
    "il di che della per sono nel alla gli "  # Italian
    "os da em uma com não "  # Portuguese
    "jane zhane ushin bul osy boiynsha".split()  # Kazakh in Latin script
)
#: Latin-script texts shorter than this many words (item labels) are taken as English.
_ENGLISH_CHECK_WORDS = 5


def _stem(word: str) -> str:
    """A crude stem: the first five letters, enough to match English and Russian word forms.

    >>> _stem("forecasting") == _stem("forecast"), _stem("планирование") == _stem("планировать")
    (True, True)
    """
    return word[:_STEM]


def text_script(text: str) -> str:
    """``cyrillic`` or ``latin`` when more than half of the letters of ``text`` are of that script
    (Latin: unaccented), ``other`` when neither is, ``none`` when it has no letter.

    >>> [text_script(t) for t in ("Этика", "Ethics", "公务员", "2015.")]
    ['cyrillic', 'latin', 'other', 'none']
    """
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return "none"
    if sum("\u0400" <= ch <= "\u04ff" for ch in letters) / len(letters) > 0.5:
        return "cyrillic"
    return "latin" if sum(ch.isascii() for ch in letters) / len(letters) > 0.5 else "other"


def text_language(text: str) -> str:
    """``en``, ``ru``, ``kk`` or :data:`UNKNOWN_LANGUAGE`, from the letters of ``text``.

    Mostly Cyrillic letters: unknown when a letter of another Cyrillic language occurs (Ukrainian ї,
    Serbian ђ, ...) or a Ukrainian word, ``kk`` when a Kazakh-only letter does, else ``ru``. Mostly Latin
    letters: ``en`` when English function words outnumber those of other Latin-script languages
    and there is at least one (or the text has fewer than five words), else unknown. Any other
    script, or no letters at all, is unknown.

    >>> [text_language(t) for t in ("Лидерство и этика", "Көшбасшылық және әдеп", "Ethics", "Les agents publics doivent servir l'intérêt général", "公务员")]
    ['ru', 'kk', 'en', 'unknown', 'unknown']
    >>> [text_language(t) for t in ("Державна служба і лідерство", "Їхня етика", "Државна служба и љубав")]
    ['unknown', 'unknown', 'unknown']
    """
    script = text_script(text)
    if script == "cyrillic":
        if _OTHER_CYRILLIC.search(text) or _UKRAINIAN_WORDS & set(re.findall(r"[^\W\d_]+", text.lower())):
            return UNKNOWN_LANGUAGE
        return "kk" if _KAZAKH_LETTERS.search(text) else "ru"
    if script == "latin":
        words = re.findall(r"[^\W\d_]+", text.lower())
        english = sum(w in _ENGLISH_WORDS for w in words)
        other = sum(w in _OTHER_WORDS for w in words)
        if english >= other and (english or len(words) < _ENGLISH_CHECK_WORDS):
            return "en"
    return UNKNOWN_LANGUAGE


def normalise_text(text: str) -> str:
    """Lower-case, fold ``ё`` to ``е``, and keep letters and digits only.

    >>> normalise_text("Seeing the Big-Picture; Ёмкость")
    'seeing the big picture емкость'
    """
    text = text.lower().replace("ё", "е")
    return " ".join(re.findall(r"\w+", text))


def item_text(label: str, description: str | None = "") -> str:
    """The text an item is judged by: its label twice (it is the defining part) and its description."""
    label = label or ""
    return normalise_text(f"{label}. {label}. {description or ''}")


def _known_languages(concepts: pd.DataFrame) -> frozenset[str]:
    """The languages the taxonomy gives words in: English always (definitions), Russian and
    Kazakh when there are labels or aliases in them."""
    known = {"en"}
    for lang in ("ru", "kk"):
        if f"label_{lang}" in concepts or f"aliases_{lang}" in concepts:
            known.add(lang)
    return frozenset(known)


def _concept_documents(concepts: pd.DataFrame, drop_texts: frozenset[str] = frozenset()) -> pd.DataFrame:
    rows = []
    for c in concepts.itertuples(index=False):
        rows.append((c.concept_id, normalise_text(f"{c.label_en}. {c.label_en}. {c.definition}")))
        for lang in ("ru", "kk"):
            label = getattr(c, f"label_{lang}", "")
            if label:
                rows.append((c.concept_id, normalise_text(f"{label}. {label}")))
        aliases = [a for lang in ("en", "ru", "kk") for a in getattr(c, f"aliases_{lang}", [])]
        for alias in aliases:
            text = normalise_text(alias)
            if text not in drop_texts:
                rows.append((c.concept_id, text))
    return pd.DataFrame(rows, columns=["concept_id", "text"])


@dataclass
class ConceptSuggester:
    """Ranks concepts for an item text; abstains (``needs_review``) below ``threshold``.

    Estimator shape: ``__init__`` stores parameters, :meth:`fit` learns, learned state ends in ``_``.

    Parameters
    ----------
    threshold:
        Scores below it are flagged ``needs_review`` rather than trusted.
    example_weight:
        Share of the score from the nearest curated example (the rest from the concept's own
        label, definition and aliases).
    """

    threshold: float = WORDS_THRESHOLD
    example_weight: float = 0.5
    ngram_range: tuple[int, int] = (3, 5)

    def fit(self, concepts: pd.DataFrame, examples: pd.DataFrame | None = None, drop_aliases: frozenset[str] = frozenset(),
            ngrams: "NgramMemo | None" = None) -> "ConceptSuggester":
        """Learn from the taxonomy's concepts and optional ``examples`` (columns ``concept_id``, ``text``).

        ``drop_aliases`` (normalised texts) leaves out aliases that merely repeat held-out items.
        ``ngrams``: n-grams already analysed by other fits on overlapping texts (an evaluation's folds).
        """
        # The passage splitter and coding's review reader (`workbench agreement`) import this module
        # and never fit a model.
        # deferred: scikit-learn's text features cost about 0.6 s to import; only fitting needs them
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.concept_ids_ = concepts["concept_id"].tolist()
        self.languages_ = _known_languages(concepts)
        index = {cid: i for i, cid in enumerate(self.concept_ids_)}
        docs = _concept_documents(concepts, frozenset(drop_aliases))
        examples = examples if examples is not None else pd.DataFrame(columns=["concept_id", "text"])
        examples = examples[examples["concept_id"].isin(index)]
        corpus = pd.concat([docs.assign(kind="concept"), examples.assign(kind="example")], ignore_index=True)
        features = {"analyzer": ngrams} if ngrams is not None else {"analyzer": "char_wb", "ngram_range": self.ngram_range}
        self.vectorizer_ = TfidfVectorizer(sublinear_tf=True, dtype=np.float32, **features)
        matrix = self.vectorizer_.fit_transform(corpus["text"])
        self.doc_concept_ = corpus["concept_id"].map(index).to_numpy()
        self.doc_is_example_ = (corpus["kind"] == "example").to_numpy()
        self.doc_matrix_ = matrix.tocsr()
        self.known_stems_ = frozenset(_stem(w) for text in corpus["text"] for w in text.split() if len(w) >= _MIN_WORD)
        return self

    def coverage(self, texts: list[str]) -> np.ndarray:
        """Share of each text's words (of 4+ letters) whose stem the model has seen, in [0, 1].

        Character n-grams of unknown words mostly drop out of the TF-IDF query, so one familiar
        word in an unfamiliar text would otherwise look like a confident match.
        """
        out = np.ones(len(texts), dtype=np.float32)
        for i, text in enumerate(texts):
            words = [w for w in text.split() if len(w) >= _MIN_WORD]
            if words:
                out[i] = sum(_stem(w) in self.known_stems_ for w in words) / len(words)
        return out

    def score(self, texts: list[str], batch_size: int = 2048, by_coverage: bool = True) -> np.ndarray:
        """Scores in [0, 1], one row per text, one column per concept (``concept_ids_`` order).

        Texts are scored in batches so memory stays flat however many items arrive. With
        ``by_coverage``, each text's scores are scaled by :meth:`coverage` (short item labels);
        the document coder, whose sentences carry many ordinary words, turns it off.
        """
        n_concepts = len(self.concept_ids_)
        out = np.zeros((len(texts), n_concepts), dtype=np.float32)
        groups = []
        for is_example in (False, True):
            cols = np.flatnonzero(self.doc_is_example_ == is_example)
            cols = cols[np.argsort(self.doc_concept_[cols], kind="stable")]
            owners, starts = np.unique(self.doc_concept_[cols], return_index=True)
            groups.append((cols, owners, starts))
        has_example = np.zeros(n_concepts, dtype=bool)
        has_example[groups[1][1]] = True
        # A concept with no curated example is judged on its definition alone, not penalised.
        w = np.where(has_example, self.example_weight, 0.0).astype(np.float32)
        for lo in range(0, len(texts), batch_size):
            query = self.vectorizer_.transform(texts[lo : lo + batch_size])
            sims = (query @ self.doc_matrix_.T).toarray()  # cosine: rows are L2-normalised
            best = []
            for cols, owners, starts in groups:
                target = np.zeros((sims.shape[0], n_concepts), dtype=np.float32)
                if cols.size:
                    target[:, owners] = np.maximum.reduceat(sims[:, cols], starts, axis=1)
                best.append(target)
            out[lo : lo + batch_size] = (1 - w) * best[0] + w * best[1]
        # Rankings are unchanged (one factor per text); only confidence drops for unfamiliar text.
        return out * self.coverage(texts)[:, None] if by_coverage else out

    def language(self, text: str) -> str:
        """The language of ``text`` if the model knows it, else :data:`UNKNOWN_LANGUAGE`.

        :func:`text_language` decides; a Latin-script text with no function word of any
        language (a list of names, a table row) still counts as English when the model has
        seen at least half of its words.
        """
        lang = text_language(text)
        words = set(re.findall(r"[^\W\d_]+", text.lower()))
        if lang == UNKNOWN_LANGUAGE and sum(ch.isascii() and ch.isalpha() for ch in text) > len(text) / 3 and not words & _OTHER_WORDS:
            if self.coverage([normalise_text(text)])[0] >= 0.5:
                lang = "en"
        return lang if lang in self.languages_ else UNKNOWN_LANGUAGE

    def suggest(self, texts: list[str], top: int = 3) -> list[list[tuple[str, float, bool]]]:
        """For each text, the ``top`` best ``(concept_id, score, needs_review)``, best first.

        A text in a language the model does not know is always ``needs_review``: its character
        n-grams may still match something, but that score is no evidence.
        """
        scores = self.score(texts)
        top = max(1, min(top, scores.shape[1] if scores.size else top))
        out = []
        for text, row in zip(texts, scores):
            order = np.argsort(-row, kind="stable")[:top]
            known = self.language(text) != UNKNOWN_LANGUAGE
            out.append([(self.concept_ids_[j], round(float(row[j]), 4), bool(row[j] < self.threshold or not known)) for j in order])
        return out


def curated_examples(items: pd.DataFrame, crosswalk: pd.DataFrame) -> pd.DataFrame:
    """Texts of curated items paired with the concepts they are mapped to (the suggester's evidence)."""
    cw = crosswalk[crosswalk["predicate_id"].isin(EVIDENCE_PREDICATES)]
    merged = cw.merge(items[["item_code", "label", "description"]], left_on="subject_id", right_on="item_code")
    return pd.DataFrame(
        {
            "concept_id": merged["object_id"].to_numpy(),
            "text": [item_text(l, d) for l, d in zip(merged["label"], merged["description"])],
            "item_code": merged["item_code"].to_numpy(),
        }
    )


class NgramMemo:
    """The character n-grams of each text, analysed once and shared by several fits.

    A leave-one-framework-out evaluation fits one model per framework on nearly the same texts;
    the features are those of ``TfidfVectorizer(analyzer="char_wb", ngram_range=...)``, so every
    fit gives the same model as without the memo.

    >>> memo = NgramMemo((3, 3))
    >>> memo("Ab c")[:3], len(memo._seen)
    ([' ab', 'ab ', ' c '], 1)
    """

    def __init__(self, ngram_range: tuple[int, int] = ConceptSuggester.ngram_range):
        # deferred: scikit-learn's text features, as in ConceptSuggester.fit
        from sklearn.feature_extraction.text import TfidfVectorizer

        self._analyse = TfidfVectorizer(analyzer="char_wb", ngram_range=ngram_range).build_analyzer()
        self._seen: dict[str, list[str]] = {}

    def __call__(self, text: str) -> list[str]:
        found = self._seen.get(text)
        if found is None:
            found = self._seen[text] = self._analyse(text)
        return found


def fit_from_dataset(ds, threshold: float | None = None, exclude_items: set[str] | None = None,
                     ngrams: NgramMemo | None = None) -> ConceptSuggester:
    """A suggester trained on a loaded :class:`~workbench.model.dataset.Dataset`.

    ``exclude_items`` are held out entirely: their crosswalk rows, and any taxonomy alias that
    is just one of their labels (so an evaluation cannot find the answer written in the taxonomy).
    ``ngrams`` is shared by the fits of an evaluation (see :class:`NgramMemo`).
    """
    examples = curated_examples(ds.items, ds.crosswalk)
    drop: frozenset[str] = frozenset()
    if exclude_items:
        examples = examples[~examples["item_code"].isin(exclude_items)]
        held_out = ds.items[ds.items["item_code"].isin(exclude_items)]
        drop = frozenset(normalise_text(label) for label in held_out["label"])
    if threshold is not None:
        check_number(threshold, "threshold")  # finite: NaN would compare false and flag nothing
    model = ConceptSuggester() if threshold is None else ConceptSuggester(threshold=threshold)
    return model.fit(ds.concepts, examples, drop_aliases=drop, ngrams=ngrams)


def suggest_frame(model: ConceptSuggester, framework_id: str, items: list[tuple[str, str, str | None]], top: int = 3) -> pd.DataFrame:
    """Suggestions as a frame with :data:`SUGGEST_COLUMNS`; ``items`` are ``(code, label, description)``."""
    ranked = model.suggest([item_text(label, desc) for _, label, desc in items], top=top)
    rows = [
        (framework_id, code, rank, cid, score, needs)
        for (code, _, _), suggestions in zip(items, ranked)
        for rank, (cid, score, needs) in enumerate(suggestions, start=1)
    ]
    return pd.DataFrame(rows, columns=SUGGEST_COLUMNS)


def evaluate_leave_one_framework_out(ds, threshold: float | None = None) -> dict[str, float]:
    """Top-1 / top-3 accuracy and abstention rate, each framework scored by a model that never saw it.

    An item counts as correct at top-k when one of its k best concepts is among the concepts the
    curated crosswalk maps it to; ``top1_primary_accuracy`` is stricter: the best concept must be
    the item's primary (highest-confidence) mapping.
    """
    gold = ds.crosswalk.groupby("subject_id")["object_id"].agg(set)
    primary = primary_codes(ds.crosswalk)
    hits1 = hits3 = abstained = total = primary_hits = confident_hits = 0
    ngrams = NgramMemo()  # the folds share nearly all their texts
    for fw_id, fw_items in ds.items.groupby("framework_id"):
        model = fit_from_dataset(ds, threshold, exclude_items=set(fw_items["item_code"]), ngrams=ngrams)
        ranked = model.suggest([item_text(l, d) for l, d in zip(fw_items["label"], fw_items["description"])], top=3)
        for code, suggestions in zip(fw_items["item_code"], ranked):
            truth = gold.get(code, set())
            total += 1
            hit = suggestions[0][0] in truth
            hits1 += hit
            primary_hits += suggestions[0][0] == primary.get(code)
            hits3 += any(cid in truth for cid, _, _ in suggestions)
            abstained += suggestions[0][2]
            confident_hits += hit and not suggestions[0][2]
    return {
        "items": total,
        "frameworks": int(ds.items["framework_id"].nunique()),
        "top1_accuracy": hits1 / total if total else 0.0,
        "top3_accuracy": hits3 / total if total else 0.0,
        "top1_primary_accuracy": primary_hits / total if total else 0.0,
        "abstention_rate": abstained / total if total else 0.0,
        # Accuracy where the suggester does not abstain: what a reviewer can trust unchecked.
        "top1_accuracy_when_confident": confident_hits / (total - abstained) if total > abstained else 0.0,
    }
