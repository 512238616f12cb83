"""Checks of the data folder: frameworks, documents, the taxonomy's broader links, and every record together."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from workbench.model.documents import resolve_document
from workbench.model.errors import InputError, Problem
from workbench.model.sourcefile import read_text
from workbench.model.validate.options import option_problems
from workbench.model.versions import lineage_problems
from workbench.model.values import _check_unique, control_character_problem, has_cyrillic, is_web_url, unknown_id, url_problem

if TYPE_CHECKING:
    from workbench.model.records import RawData
    from workbench.model.schema import Framework, Taxonomy
    from workbench.model.sourcefile import YamlDocument


def framework_problems(fw: "Framework", doc: "YamlDocument") -> list[Problem]:
    """Checks of one framework file on its own (also a new file given to ``suggest``)."""
    problems: list[Problem] = []
    _check_unique(((item.code, doc.line_of(("items", i)), doc.path) for i, item in enumerate(fw.items)),
                  "item code", problems)
    return problems


def document_problems(root: Path) -> list[Problem]:
    """``documents/*.txt`` are read by the documents report: each must be readable UTF-8 text inside
    the folder (a symbolic link leading outside it is refused, see :mod:`workbench.model.documents`)
    whose quotes every output carries (no control character but tab and line breaks)."""
    problems: list[Problem] = []
    folder = root / "documents"
    if not folder.is_dir():
        return problems
    for path in sorted(folder.glob("*.txt")):
        try:
            text = read_text(path)
            if not path.name.startswith("."):  # hidden files are no documents
                resolve_document(root, path.name)
        except InputError as exc:
            problems.extend(Problem(str(path), 0, p.message.removeprefix(f"{path.name!r} ")) if p.is_parameter else p
                            for p in exc.problems)
            continue
        problem = text_file_problem(path, text)
        if problem is not None:
            problems.append(problem)
    return problems


def seed_file_problems(raw: "RawData") -> list[Problem]:
    """A seed's ``file`` is a document of ``data/documents/``, where the data keeps each seed's text: a
    report must not cite, and a quote must not be looked for in, a paper whose text the data lacks."""
    problems: list[Problem] = []
    for source, line, path in raw.sources:
        if source.kind == "seed" and source.file:
            try:
                resolve_document(raw.root, source.file)
            except InputError as exc:
                problems.extend(Problem(path, line, f"file: {p.message}") for p in exc.problems)
    return problems


def text_file_problem(path: str | Path, text: str) -> Problem | None:
    """The first line of ``text`` (a document to code, from ``path``) holding a character no output
    carries: its quotes reach review files, report tables and their spreadsheets.

    One problem per file: a pasted document repeats its mistake on every line.
    """
    for number, line in enumerate(text.split("\n"), start=1):
        message = control_character_problem(line, multiline=True)
        if message:
            return Problem(str(path), number, message)
    return None


def broader_problems(taxonomy: "Taxonomy", doc: "YamlDocument") -> list[Problem]:
    """SKOS ``broader`` links: known ids, same domain, at most two levels (so no cycles)."""
    by_id = {c.id: c for c in taxonomy.concepts}
    out = []
    for i, c in enumerate(taxonomy.concepts):
        if c.broader is None or c.broader == c.id:  # a self-link is refused by the schema
            continue
        line = doc.line_of(("concepts", i, "broader"))
        parent = by_id.get(c.broader)
        if parent is None:
            out.append(Problem(doc.path, line, f"concept '{c.id}': unknown broader concept '{c.broader}'"))
            continue
        # Walk up: a link back to c is a cycle; any grandparent is a third level.
        seen, node = [c.id], parent
        while node is not None and node.id not in seen:
            seen.append(node.id)
            node = by_id.get(node.broader) if node.broader else None
        if node is not None:
            out.append(Problem(doc.path, line, f"concept '{c.id}': broader links form a cycle ({' -> '.join(seen + [node.id])})"))
        elif parent.broader is not None:
            out.append(Problem(doc.path, line, f"concept '{c.id}': broader concept '{parent.id}' has a broader concept itself (at most two levels)"))
        elif parent.domain != c.domain:
            out.append(Problem(doc.path, line, f"concept '{c.id}': domain '{c.domain}' differs from its broader concept's domain '{parent.domain}'"))
    return out


def _source_resolver(source_ids: set[str], sources_broken: bool, problems: list[Problem]) -> Callable[[str | None, str, int], None]:
    """A check of one cited source, adding to ``problems``: a web address must be a valid one, any
    other source an id of ``sources.yaml`` (unchecked when that file could not be read in full)."""

    def resolve(source: str | None, path: str, line: int) -> None:
        if source is None or source.startswith(("http://", "https://")) or source in source_ids or sources_broken:
            if source is not None and source.startswith(("http://", "https://")) and not is_web_url(source):
                problems.append(Problem(path, line, f"source {url_problem(source)}"))
            return
        problems.append(Problem(path, line, f"unknown source '{source}' (not an id in sources.yaml)"))

    return resolve


def _framework_records_problems(raw: "RawData", resolve: Callable[[str | None, str, int], None],
                                problems: list[Problem]) -> list[tuple[str, int, str]]:
    """Checks of the frameworks across files, adding to ``problems``; returns every item as ``(code, line, path)``."""
    for fw, doc, path in raw.frameworks:
        problems.extend(framework_problems(fw, doc))
        if fw.id != path.stem:
            problems.append(Problem(doc.path, doc.line_of(("id",)), f"framework id '{fw.id}' differs from the file name '{path.stem}'"))
        resolve(fw.source, doc.path, doc.line_of(("source",)))
        if fw.dates_source:
            resolve(fw.dates_source, doc.path, doc.line_of(("dates_source",)))
        for i, item in enumerate(fw.items):
            if item.source:
                resolve(item.source, doc.path, doc.line_of(("items", i, "source")))
            if not (item.locator or fw.locator):
                problems.append(Problem(doc.path, doc.line_of(("items", i)),
                                        f"item '{item.code}' has no locator (set one on the item or the framework)"))
    items = [(item.code, doc.line_of(("items", i)), doc.path) for fw, doc, _ in raw.frameworks for i, item in enumerate(fw.items)]
    # Duplicates within one file were found above too; InputError keeps one copy of each.
    _check_unique(items, "item code", problems)
    return items


def _taxonomy_records_problems(raw: "RawData", problems: list[Problem]) -> set[str]:
    """Checks of the taxonomy's domains and concepts, and of the domains the frameworks name in
    ``missing_domains``, adding to ``problems``; returns the concept ids."""
    if raw.taxonomy is None:
        return set()
    tax, tdoc = raw.taxonomy, raw.taxonomy_doc
    domain_ids = {d.id for d in tax.domains}
    _check_unique(((d.id, tdoc.line_of(("domains", i)), tdoc.path) for i, d in enumerate(tax.domains)), "domain id", problems)
    _check_unique(((c.id, tdoc.line_of(("concepts", i)), tdoc.path) for i, c in enumerate(tax.concepts)), "concept id", problems)
    for i, c in enumerate(tax.concepts):
        if c.domain not in domain_ids:
            problems.append(Problem(tdoc.path, tdoc.line_of(("concepts", i, "domain")), f"concept '{c.id}': unknown domain '{c.domain}'"))
    problems.extend(broader_problems(tax, tdoc))
    problems.extend(_phrase_problems(tax, tdoc))
    for fw, doc, _ in raw.frameworks:
        for i, domain in enumerate(fw.missing_domains or ()):
            if domain not in domain_ids:
                problems.append(Problem(doc.path, doc.line_of(("missing_domains", i)),
                                        f"unknown domain '{domain}' in missing_domains (use {', '.join(sorted(domain_ids))})"))
    return {c.id for c in tax.concepts}


def _phrase_problems(tax: Any, tdoc: Any) -> list[Problem]:
    """The taxonomy's words as its header asks: each phrase under one concept only (the suggester would
    learn it for both), no empty alias, and Russian and Kazakh words in Cyrillic letters."""
    problems, owner = [], {}
    for i, c in enumerate(tax.concepts):
        for lang in ("en", "ru", "kk"):
            phrases = [(("concepts", i, "label", lang), getattr(c.label, lang))]
            phrases += [(("concepts", i, "aliases", lang, k), a) for k, a in enumerate(getattr(c.aliases, lang))]
            for loc, phrase in phrases:
                line, key = tdoc.line_of(loc), (lang, " ".join(phrase.casefold().split()))
                if not key[1]:
                    problems.append(Problem(tdoc.path, line, f"concept '{c.id}': empty {lang} alias"))
                elif lang != "en" and not has_cyrillic(phrase):
                    problems.append(Problem(tdoc.path, line, f"concept '{c.id}': {lang} '{phrase}' has no Cyrillic letter"))
                elif key in owner and owner[key][0] != c.id:
                    problems.append(Problem(tdoc.path, line, f"'{phrase}' is under '{c.id}' and under '{owner[key][0]}' (line {owner[key][1]}): keep each phrase under one concept"))
                owner.setdefault(key, (c.id, line))
    return problems


def _mapping_problems(raw: "RawData", items: list[tuple[str, int, str]], concept_ids: set[str], problems: list[Problem]) -> None:
    """Checks of the crosswalk's mappings (known concept and subject, no duplicate) and that every
    item and practice is mapped, adding to ``problems``."""
    cw = str(raw.crosswalk_path)
    broken = raw.broken
    subjects = {code for code, _, _ in items} | {p.id for p, _, _ in raw.practices} | {x.id for x, _, _ in raw.indicators}
    seen_pairs: dict[tuple[str, str], int] = {}
    for m, line in raw.mappings:
        if raw.taxonomy is not None and m.object_id not in concept_ids:
            problems.append(Problem(cw, line, unknown_id("concept", m.object_id, concept_ids)))
        if m.subject_id not in subjects and "subjects" not in broken:
            problems.append(Problem(cw, line, f"unknown subject '{m.subject_id}' (no item, practice or indicator has this id)"))
        pair = (m.subject_id, m.object_id)
        if pair in seen_pairs:
            problems.append(Problem(cw, line, f"duplicate mapping {m.subject_id} -> {m.object_id} (first at line {seen_pairs[pair]})"))
        seen_pairs.setdefault(pair, line)
    if "crosswalk" not in broken:
        mapped = {m.subject_id for m, _ in raw.mappings}
        for code, line, path in items:
            if code not in mapped:
                problems.append(Problem(path, line, f"item '{code}' has no mapping in crosswalk.tsv"))
        for p, line, path in raw.practices:
            if p.id not in mapped:
                problems.append(Problem(path, line, f"practice '{p.id}' has no mapping in crosswalk.tsv"))


def dataset_problems(raw: "RawData") -> list[Problem]:
    """Checks across the records of a data folder: ids unique (ignoring case), file names match,
    sources, concepts, domains and subjects resolve, every item and practice is mapped.

    One mistake should give one message: checks that need a whole table are skipped when that
    table could not be read in full (``raw.broken``).

    Parameters
    ----------
    raw:
        The data folder's records as read, with their files and lines.

    Returns
    -------
    Every problem found, in the order of the checks (sources, frameworks, practices, indicators,
    taxonomy, crosswalk, documents, options and quotes).
    """
    problems: list[Problem] = []
    source_ids = {s.id for s, _, _ in raw.sources}
    _check_unique(((s.id, line, path) for s, line, path in raw.sources), "source id", problems)
    problems.extend(seed_file_problems(raw))
    resolve = _source_resolver(source_ids, "sources" in raw.broken, problems)
    items = _framework_records_problems(raw, resolve, problems)
    _check_unique(((p.id, line, path) for p, line, path in raw.practices), "practice id", problems)
    for p, line, path in raw.practices:
        resolve(p.source, path, line)
    _check_unique(((a.id, line, path) for a, line, path in raw.anchors), "anchor id", problems)
    for a, line, path in raw.anchors:
        resolve(a.source, path, line)
    _check_unique(((x.id, line, path) for x, line, path in raw.indicators), "indicator id", problems)
    for x, line, path in raw.indicators:
        resolve(x.source, path, line)
    concept_ids = _taxonomy_records_problems(raw, problems)
    _mapping_problems(raw, items, concept_ids, problems)
    problems.extend(document_problems(raw.root))
    problems.extend(lineage_problems(raw.frameworks))
    subjects = {code for code, _, _ in items} | {p.id for p, _, _ in raw.practices}
    problems.extend(option_problems(raw, concept_ids, subjects))
    problems.extend(translation_problems(raw))
    return problems


def translation_problems(raw: RawData) -> list[Problem]:
    """Each translation of ``data/translations.yaml`` translates an English text the data holds
    (a practice's label, an indicator's name, a timeline step's title), once."""
    # the report runner's nothing-changed check imports this package and must not load the record models
    from workbench.model.translations import text_key, translatable_texts  # deferred: see the line above

    problems: list[Problem] = []
    _check_unique(((t.en, line, path) for t, line, path in raw.translations), "translation of the text", problems)
    if {"subjects", "anchors"} & raw.broken:  # practices and indicators are read as "subjects"
        return problems  # what the data holds is not known in full
    try:
        held = translatable_texts(raw)
    except InputError as exc:  # a file whose texts may be translated cannot be read: say so, once, where
        return problems + list(exc.problems)
    if held is None:  # laid out otherwise than its reader expects: that reader says how (workbench validate)
        return problems
    spaced = lambda text: " ".join(text.split())  # noqa: E731 - a folded paragraph and one line are one text
    exact, by_case = {spaced(h) for h in held}, {text_key(h): h for h in held}
    for t, line, path in raw.translations:
        if spaced(t.en) not in exact:
            near = by_case.get(text_key(t.en))
            hint = f"the data writes {near[:60]!r}: write it so" if near else "was the English changed? translate the new text"
            problems.append(Problem(path, line, f"en: no practice label, indicator name, timeline title, governance factor, framework title, item label, partial framework's missing part or date's locator of the data reads "
                                                f"{t.en[:60]!r} ({hint})"))
    return problems
