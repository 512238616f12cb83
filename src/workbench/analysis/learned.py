"""A suggester that learns from the curation: which concepts a framework's items carry.

:class:`workbench.analysis.suggest.ConceptSuggester` matches an item's words against each concept's label,
definition and aliases. This model learns, from the curated crosswalk, how much each kind of evidence is worth:
for every (item, concept) pair it measures the item against the concept's definition and aliases (character
n-grams, word stems, the label alone), against the curated items already mapped to the concept (nearest, top
three, nearest-neighbour votes), a kernel ridge regression over those items and the definitions
(:mod:`workbench.analysis.ridge`: which words make an item a concept's), and the concept's frequency overall and
among frameworks of the same kind; a logistic regression (scikit-learn) turns these into the probability that a
curator would map the item to the concept.

Its training pairs are themselves held out: each curated framework's pairs are measured against the other
frameworks only, exactly as a new framework will be. :func:`evaluate_lofo` measures it leave-one-framework-out,
beside the naive baseline (the most common concept of the other frameworks), and lists the concepts it confuses most.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
import pandas as pd

from workbench.analysis.agreement import primary_codes
from workbench.model.defaults import LEARNED_THRESHOLD
from workbench.analysis.ridge import inverse_without, ridge_system, ridge_targets, weights_without
from workbench.analysis.suggest import SUGGEST_COLUMNS, NgramMemo, item_text, normalise_text, text_language
from workbench.analysis.threads import one_blas_thread

__all__ = ["LearnedSuggester", "Texts", "gold_matrix", "evaluate_lofo", "LofoResult", "fit_learned", "suggest_framework"]

_STEM = 5
_NEIGHBOURS = 10
_BATCH = 256
#: The kernel ridge's regularisation (chosen among 0.1, 0.3 and 1 on the leave-one-framework-out folds).
_RIDGE = 0.3


def _stems(text: str) -> str:
    return " ".join(w[:_STEM] for w in text.split())


@dataclass(frozen=True)
class Texts:
    """The items to judge: their full text (label and description), label alone, and framework kind."""

    full: list[str]
    label: list[str]
    kind: np.ndarray
    #: The group an item sits in (the ECQ, cluster or pillar): what the item is part of, measured apart
    group: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, items: pd.DataFrame) -> "Texts":
        """From an items frame (``label``, ``description``, ``kind``)."""
        desc = items["description"] if "description" in items else [""] * len(items)
        kinds = items["kind"] if "kind" in items else ["competencies"] * len(items)
        groups = items["group"] if "group" in items else [""] * len(items)
        return cls([item_text(l, d) for l, d in zip(items["label"], desc)], [normalise_text(l) for l in items["label"]],
                   np.asarray(list(kinds), dtype=object), [normalise_text(g or "") for g in groups])

    def take(self, rows: np.ndarray) -> "Texts":
        return Texts([self.full[i] for i in rows], [self.label[i] for i in rows], self.kind[rows], [self.group[i] for i in rows])


def gold_matrix(items: pd.DataFrame, crosswalk: pd.DataFrame, concept_ids: Sequence[str]) -> np.ndarray:
    """Items x concepts, True where the curated crosswalk maps the item to the concept (any predicate)."""
    index = {c: j for j, c in enumerate(concept_ids)}
    rows = {code: i for i, code in enumerate(items["item_code"])}
    y = np.zeros((len(items), len(concept_ids)), dtype=bool)
    for subject, obj in zip(crosswalk["subject_id"], crosswalk["object_id"]):
        if subject in rows and obj in index:
            y[rows[subject], index[obj]] = True
    return y


@dataclass
class _Space:
    """The vector spaces of one fit: character n-grams and word stems, and the concepts' documents in them."""

    char: object
    word: object
    defs: tuple
    aliases: tuple
    alias_owner: np.ndarray
    alias_text: np.ndarray
    #: the definitions' kernel among themselves (characters plus stems), for the kernel ridge scores
    defs_gram: np.ndarray

    def vectors(self, texts: list[str]) -> tuple:
        return _vectorise(self.char, self.word, texts)


def _vectorise(char: Any, word: Any, texts: list[str]) -> tuple:
    """``texts`` as character n-grams and as word stems."""
    return char.transform(texts), word.transform([_stems(t) for t in texts])


def _concept_texts(concepts: pd.DataFrame) -> tuple[list[str], list[tuple[int, str]]]:
    """Each concept's definition document, and its labels and aliases in every language (owner, text)."""
    defs, aliases = [], []
    for j, c in enumerate(concepts.itertuples(index=False)):
        defs.append(normalise_text(f"{c.label_en}. {c.label_en}. {c.definition}"))
        words = [getattr(c, f"label_{lang}", "") for lang in ("ru", "kk")]
        words += [a for lang in ("en", "ru", "kk") for a in getattr(c, f"aliases_{lang}", [])]
        aliases += [(j, normalise_text(w)) for w in words if w]
    return defs, aliases


def _space(concepts: pd.DataFrame, texts: list[str], memo: NgramMemo) -> _Space:
    # deferred: scikit-learn's text features cost about 0.6 s to import; only fitting needs them
    from sklearn.feature_extraction.text import TfidfVectorizer

    defs, aliases = _concept_texts(concepts)
    corpus = defs + [t for _, t in aliases] + list(texts)
    char = TfidfVectorizer(analyzer=memo, sublinear_tf=True, dtype=np.float32).fit(corpus)
    word = TfidfVectorizer(sublinear_tf=True, dtype=np.float32, token_pattern=r"(?u)\b\w\w\w+\b").fit([_stems(t) for t in corpus])
    def_vectors = _vectorise(char, word, defs)
    gram = (def_vectors[0] @ def_vectors[0].T + def_vectors[1] @ def_vectors[1].T).toarray()
    return _Space(char, word, def_vectors, _vectorise(char, word, [t for _, t in aliases]),
                  np.array([j for j, _ in aliases], dtype=int), np.array([t for _, t in aliases], dtype=object), gram)


def _ranks(values: np.ndarray) -> np.ndarray:
    """Each value's rank within its row (0 = largest)."""
    return (-values).argsort(axis=1, kind="stable").argsort(axis=1).astype(np.float32)


def _by_owner(sims: np.ndarray, owner: np.ndarray, n: int, keep: np.ndarray) -> np.ndarray:
    """Per concept, the largest similarity to one of its documents (0 where it has none kept).

    >>> _by_owner(np.array([[0.2, 0.9, 0.4]]), np.array([1, 0, 1]), 3, np.array([True, False, True])).tolist()
    [[0.0, 0.4000000059604645, 0.0]]
    """
    out = np.zeros((sims.shape[0], n), dtype=np.float32)
    cols = np.flatnonzero(keep)
    if not cols.size:
        return out
    cols = cols[np.argsort(owner[cols], kind="stable")]  # similarities are >= 0: a max over each owner's run
    owners, starts = np.unique(owner[cols], return_index=True)
    out[:, owners] = np.maximum.reduceat(sims[:, cols], starts, axis=1)
    return out


@dataclass
class _Sims:
    """Similarities of some items to the concepts' documents (``concept``: definition by characters,
    stems and label; aliases by characters and label) and to other items (``items``: characters,
    stems, label), computed once and sliced by every fold."""

    concept: tuple
    items: tuple
    kind: np.ndarray

    def rows(self, rows: np.ndarray, ref: np.ndarray | None = None) -> "_Sims":
        ref = slice(None) if ref is None else ref
        return _Sims(tuple(m[rows] for m in self.concept), tuple(m[rows][:, ref] for m in self.items), self.kind[rows])


def _vectors(space: _Space, texts: Texts) -> tuple:
    """The items' text in the views the features use: characters, word stems, label alone, group."""
    char, word = space.vectors(texts.full)
    group = texts.group or [""] * len(texts.full)
    return char.tocsr(), word.tocsr(), space.char.transform(texts.label).tocsr(), space.char.transform(group).tocsr()


def _sims(space: _Space, query: tuple, kinds: np.ndarray, ref: tuple) -> _Sims:
    char, word, label, group = query
    dense = lambda a, b: (a @ b.T).toarray().astype(np.float32)  # noqa: E731
    concept = (dense(char, space.defs[0]), dense(word, space.defs[1]), dense(label, space.defs[0]),
               dense(char, space.aliases[0]), dense(label, space.aliases[0]), dense(group, space.defs[0]), dense(group, space.aliases[0]))
    return _Sims(concept, (dense(char, ref[0]), dense(word, ref[1]), dense(label, ref[2])), np.asarray(kinds, dtype=object))


def _members(y: np.ndarray) -> np.ndarray:
    """Per concept, the items carrying it, padded with -1 to three columns (fewer when there are fewer items).

    >>> _members(np.array([[1, 0], [1, 1], [0, 0]], dtype=bool)).tolist()
    [[0, 1, -1], [1, -1, -1]]
    """
    counts = y.sum(axis=0)
    members = np.full((y.shape[1], max(1, min(3, y.shape[0]), int(counts.max(initial=0)))), -1, dtype=np.intp)
    concepts, items = np.nonzero(y.T)  # each concept's items in order
    members[concepts, np.arange(len(items)) - np.repeat(np.cumsum(counts) - counts, counts)] = items
    return members


def _example_features(sims: tuple, y: np.ndarray) -> list[np.ndarray]:
    """Similarity to the curated items of each concept: nearest, mean of the three nearest, word
    stems and label alone nearest, and the similarity-weighted votes of the nearest items."""
    members = _members(y)  # only each concept's own items, items x concepts x members (0 as padding: similarities are >= 0)
    char, word, label = (np.hstack([s, np.zeros((s.shape[0], 1), dtype=s.dtype)])[:, members] for s in sims)
    n, c = char.shape[0], y.shape[1]
    near = np.argsort(-sims[0], axis=1)[:, :_NEIGHBOURS]
    votes = np.zeros((n, c), dtype=np.float32)
    for k in range(near.shape[1]):
        votes += sims[0][np.arange(n), near[:, k]][:, None] * y[near[:, k]]
    return [char.max(axis=2), np.sort(char, axis=2)[:, :, -3:].mean(axis=2), word.max(axis=2), label.max(axis=2), votes]


def _kernels(sims: _Sims) -> tuple[np.ndarray, np.ndarray]:
    """The kernel ridge's kernel (the cosine of character n-grams plus that of word stems) of the items
    of ``sims`` with its reference items and with the concepts' definitions: similarities ``sims``
    already holds. Measured with themselves as reference, the items' own block of the ridge's system."""
    return sims.items[0] + sims.items[1], sims.concept[0] + sims.concept[1]


def _ridge_inverse(space: _Space, sims: _Sims) -> np.ndarray:
    """The inverse of the kernel ridge's system over the items of ``sims`` (measured against
    themselves) and the concepts' definitions, regularised by ``_RIDGE``."""
    return np.linalg.inv(ridge_system(*_kernels(sims), space.defs_gram, _RIDGE))


def _kernel_ridge(sims: _Sims, weights: np.ndarray) -> np.ndarray:
    """Each concept's score from the kernel ridge regression with ``weights`` over the reference items
    and the concepts' definitions: which words make an item a concept's, learned from the curation,
    where the other features only measure nearness."""
    return (np.hstack(_kernels(sims)) @ weights).astype(np.float32)


def _prior_features(kinds: np.ndarray, y: np.ndarray, ref_kind: np.ndarray) -> list[np.ndarray]:
    """How often curators chose each concept: overall, and among items of frameworks of the same kind."""
    overall = np.log1p(y.sum(axis=0)).astype(np.float32)
    by_kind = {}
    for kind in set(kinds):
        same = y[ref_kind == kind]
        by_kind[kind] = np.log((same.sum(axis=0) + 0.5) / (len(same) + 1.0) + 1e-3) if len(same) else np.log(y.mean(axis=0) + 1e-3)
    return [np.tile(overall, (len(kinds), 1)), np.stack([by_kind[k] for k in kinds]).astype(np.float32)]


def pair_features(space: _Space, sims: _Sims, y: np.ndarray, ref_kind: np.ndarray, drop_aliases: frozenset = frozenset(),
                  *, ridge_weights: np.ndarray) -> np.ndarray:
    """Features of every (item, concept) pair, items x concepts x features, from the items'
    similarities (``sims``, to the reference items whose concepts are ``y``; ``ridge_weights``: the
    kernel ridge's weights over those items and the definitions)."""
    n_concepts = y.shape[1]
    keep = np.array([t not in drop_aliases for t in space.alias_text], dtype=bool)
    s_def, w_def, l_def, a_char, a_label, g_def, a_group = sims.concept
    s_alias = _by_owner(a_char, space.alias_owner, n_concepts, keep)
    l_alias = _by_owner(a_label, space.alias_owner, n_concepts, keep)
    g_alias = _by_owner(a_group, space.alias_owner, n_concepts, keep)
    examples = _example_features(sims.items, y)
    ridge = _kernel_ridge(sims, ridge_weights)
    base = [s_def, w_def, l_def, s_alias, l_alias, g_def, g_alias, *examples, ridge, *_prior_features(sims.kind, y, ref_kind)]
    ranks = [_ranks(f) for f in (s_def, s_alias, examples[0], examples[4], w_def, ridge)]
    ranks += [f - f.max(axis=1, keepdims=True) for f in (s_def, w_def, l_def, s_alias, l_alias, *examples, ridge)]  # gap to the item's best
    return np.stack([np.asarray(f, dtype=np.float32) for f in base + ranks], axis=-1)


def _probabilities(model: Any, features: np.ndarray) -> np.ndarray:
    """The model's probability of every (item, concept) pair of ``features`` (items x concepts x features)."""
    return model.predict_proba(features.reshape(-1, features.shape[-1]))[:, 1].reshape(features.shape[0], -1)


def _train(space: _Space, sims: _Sims, y: np.ndarray, frameworks: np.ndarray, labels: Sequence[str], C: float,
           inverse: np.ndarray | None = None):
    """A logistic regression on every pair of ``sims``' items, each framework measured against the
    others only; with it, the kernel ridge's weights over all of them (for the items to judge).
    ``inverse``: the ridge system's inverse over these items, when already known."""
    # deferred: scikit-learn's linear models, only when a model is fitted
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    xs, ys = [], []
    inverse = _ridge_inverse(space, sims) if inverse is None else inverse
    weights = inverse @ ridge_targets(y)
    for fw in sorted(set(frameworks)):
        inner, other = np.flatnonzero(frameworks == fw), np.flatnonzero(frameworks != fw)
        f = pair_features(space, sims.rows(inner, other), y[other], sims.kind[other], frozenset(labels[i] for i in inner),
                          ridge_weights=weights_without(inverse, weights, inner))
        xs.append(f.reshape(-1, f.shape[-1]))
        ys.append(y[inner].reshape(-1))
    model = make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=1000)).fit(np.concatenate(xs), np.concatenate(ys))
    return model, weights


@dataclass
class LearnedSuggester:
    """Concepts for the items of an unseen framework, ranked by a model learned from the curated crosswalk.

    Parameters
    ----------
    threshold : a suggestion whose probability is below it is flagged ``needs_review``.
    C : inverse regularisation strength of the logistic regression.
    """

    threshold: float = LEARNED_THRESHOLD
    C: float = 1.0
    concept_ids_: list[str] = field(default_factory=list)

    @one_blas_thread
    def fit(self, concepts: pd.DataFrame, items: pd.DataFrame, y: np.ndarray, unlabelled: Sequence[str] = ()) -> "LearnedSuggester":
        """Learn from ``items`` (with ``framework_id``, ``label``, ``description``, ``kind``) and their curated concepts ``y``.

        The vocabulary and its weights (TF-IDF) are learned from the concepts' texts, the items and
        ``unlabelled`` texts (the items about to be judged: their words, never their concepts).
        """
        texts = Texts.of(items)
        self.concept_ids_ = concepts["concept_id"].tolist()
        self.space_ = _space(concepts, [*texts.full, *unlabelled], NgramMemo())
        self.reference_ = _vectors(self.space_, texts)
        sims = _sims(self.space_, self.reference_, texts.kind, self.reference_)
        self.y_, self.kind_ = y, texts.kind
        self.model_, self.ridge_ = _train(self.space_, sims, y, items["framework_id"].to_numpy(), texts.label, self.C)
        return self

    @one_blas_thread
    def score(self, texts: Texts) -> np.ndarray:
        """Probabilities, one row per item, one column per concept (``concept_ids_`` order)."""
        out = np.zeros((len(texts.full), len(self.concept_ids_)), dtype=np.float32)
        for lo in range(0, len(texts.full), _BATCH):
            part = texts.take(np.arange(lo, min(lo + _BATCH, len(texts.full))))
            sims = _sims(self.space_, _vectors(self.space_, part), part.kind, self.reference_)
            out[lo:lo + len(part.full)] = _probabilities(self.model_, pair_features(self.space_, sims, self.y_, self.kind_, ridge_weights=self.ridge_))
        return out

    def suggest(self, texts: Texts, top: int = 3) -> list[list[tuple[str, float, bool]]]:
        """For each item, the ``top`` best ``(concept_id, probability, needs_review)``, best first."""
        scores = self.score(texts)
        order = np.argsort(-scores, axis=1, kind="stable")[:, :max(1, top)]
        return [[(self.concept_ids_[j], round(float(row[j]), 4), bool(row[j] < self.threshold)) for j in idx]
                for row, idx in zip(scores, order)]


@dataclass
class LofoResult:
    """Leave-one-framework-out quality: ``summary`` (top-1, top-3, baseline), ``per_framework``, ``confusion``."""

    summary: dict
    per_framework: pd.DataFrame
    confusion: pd.DataFrame


@one_blas_thread
def evaluate_lofo(ds, confused: int = 10) -> LofoResult:
    """Each framework's items suggested by a model trained on the other frameworks only.

    An item counts as correct at top-k when one of its k best concepts is among those the curated crosswalk maps it
    to; the naive baseline always predicts the most common concept of the training folds (at top-3, its three most
    common). ``confusion`` counts, over the misses, the item's primary concept against the model's first suggestion."""
    items, concepts = ds.items.reset_index(drop=True), ds.concepts
    ids = concepts["concept_id"].tolist()
    y = gold_matrix(items, ds.crosswalk, ids)
    primary = primary_codes(ds.crosswalk)
    # one vocabulary for every fold: the held-out items' words are known, as a new framework's are when judged
    texts = Texts.of(items)
    space = _space(concepts, texts.full, NgramMemo())
    every = _sims(space, vectors := _vectors(space, texts), texts.kind, vectors)
    frameworks = items["framework_id"].to_numpy()
    inverse = _ridge_inverse(space, every)  # every fold's ridge system is a block of it
    rows, misses = [], []
    for fw in sorted(items["framework_id"].unique()):
        test, train = np.flatnonzero(frameworks == fw), np.flatnonzero(frameworks != fw)
        model, ridge = _train(space, every.rows(train, train), y[train], frameworks[train], [texts.label[i] for i in train],
                              LearnedSuggester.C, inverse_without(inverse, test))
        scores = _probabilities(model, pair_features(space, every.rows(test, train), y[train], texts.kind[train],
                                                     frozenset(texts.label[i] for i in test), ridge_weights=ridge))
        common = np.argsort(-y[train].sum(axis=0), kind="stable")[:3]  # the most common concepts of the other frameworks
        order = np.argsort(-scores, axis=1, kind="stable")
        hit1 = y[test, order[:, 0]]
        rows.append({"framework_id": fw, "items": len(test), "top1": int(hit1.sum()),
                     "top3": int(np.take_along_axis(y[test], order[:, :3], axis=1).any(axis=1).sum()),
                     "baseline_top1": int(y[test, common[0]].sum()), "baseline_top3": int(y[test][:, common].any(axis=1).sum())})
        misses += [(primary.get(items.at[i, "item_code"], ""), ids[order[r, 0]]) for r, i in enumerate(test) if not hit1[r]]
    per = pd.DataFrame(rows)
    n = int(per["items"].sum())
    summary = {"items": n, "frameworks": len(per), "top1_accuracy": per["top1"].sum() / n, "top3_accuracy": per["top3"].sum() / n,
               "baseline_top1_accuracy": per["baseline_top1"].sum() / n, "baseline_top3_accuracy": per["baseline_top3"].sum() / n}
    confusion = (pd.DataFrame(misses, columns=["curated", "suggested"]).value_counts().rename("items").reset_index()
                 .sort_values(["items", "curated", "suggested"], ascending=[False, True, True]).head(confused).reset_index(drop=True))
    return LofoResult(summary, per, confusion)


def fit_learned(ds, unlabelled: Sequence[str] = (), threshold: float | None = None) -> LearnedSuggester:
    """The learned suggester trained on every curated item of ``ds`` (every version, every framework).

    ``unlabelled``: the texts about to be judged (:func:`workbench.analysis.suggest.item_text`), whose
    words join the vocabulary.
    """
    items = ds.items.reset_index(drop=True)
    y = gold_matrix(items, ds.crosswalk, ds.concepts["concept_id"].tolist())
    model = LearnedSuggester() if threshold is None else LearnedSuggester(threshold=threshold)
    return model.fit(ds.concepts, items, y, unlabelled)


def suggest_framework(ds, framework_id: str, items: list[tuple[str, str, str | None]], kind: str = "competencies",
                      top: int = 3, threshold: float | None = None) -> pd.DataFrame:
    """Suggestions for a new framework's ``items`` (``(code, label, description)``) as a frame of
    :data:`workbench.analysis.suggest.SUGGEST_COLUMNS`. A suggestion needs review when its
    probability is below the threshold, or when the item is in a language the taxonomy has no words in."""
    frame = pd.DataFrame(items, columns=["item_code", "label", "description"]).assign(kind=kind)
    texts = Texts.of(frame)
    model = fit_learned(ds, texts.full, threshold)
    ranked = model.suggest(texts, top=top)
    foreign = [text_language(f"{label} {desc or ''}") not in ("en", "ru", "kk") for _, label, desc in items]
    rows = [(framework_id, code, rank, cid, score, needs or odd)
            for (code, _, _), odd, suggestions in zip(items, foreign, ranked)
            for rank, (cid, score, needs) in enumerate(suggestions, start=1)]
    return pd.DataFrame(rows, columns=SUGGEST_COLUMNS)
