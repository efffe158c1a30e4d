"""kefu's knowledge graph: typed facts on networkx, import/export, entity linking,
retrieval, claim extraction, fact checking and repair. Imports nothing else of kefu.

Start with ``load_graph(path)`` (or ``parse_csv``), then ``link``/``retrieve`` for a
question and ``check``/``repair`` for an answer. Persist with ``knowledge_graph.persistence``.
"""

from knowledge_graph.checking import (
    CheckReport,
    ClaimCheck,
    ClaimStatus,
    check,
    entails,
    supporting_facts,
    verify,
)
from knowledge_graph.claims import Claim, ClaimKind, Sentence, extract_claims, split_sentences
from knowledge_graph.csv_triples import dump_csv, parse_csv
from knowledge_graph.exceptions import (
    DanglingEdgeError,
    FactNotFoundError,
    GraphFormatError,
    KnowledgeGraphError,
    RevisionNotFoundError,
    StoreError,
    UnitError,
    UnknownNodeError,
    VersionConflictError,
)
from knowledge_graph.files import load_graph, save_graph
from knowledge_graph.graphml import dump_graphml, parse_graphml
from knowledge_graph.language import detect_language
from knowledge_graph.linking import Candidate, Mention, link, surface_forms
from knowledge_graph.live import LiveGraph, Snapshot
from knowledge_graph.model import (
    Fact,
    Label,
    build_graph,
    display_name,
    edge_facts,
    graph_facts,
    literal_facts,
    node_facts,
    same_graph,
)
from knowledge_graph.native_json import dump_json, parse_json
from knowledge_graph.repair import (
    RegenerateRequest,
    RepairAction,
    RepairKind,
    RepairResult,
    UnverifiablePolicy,
    arepair,
    repair,
)
from knowledge_graph.retrieval import Question, analyse_question, retrieve
from knowledge_graph.values import Flag, Qualifier, Quantity, Text, parse_literal, same_value
from knowledge_graph.verbalise import (
    render_value,
    verbalise,
    verbalise_comparison,
    verbalise_window,
)

__all__ = [
    "Candidate",
    "CheckReport",
    "Claim",
    "ClaimCheck",
    "ClaimKind",
    "ClaimStatus",
    "DanglingEdgeError",
    "Fact",
    "FactNotFoundError",
    "Flag",
    "GraphFormatError",
    "KnowledgeGraphError",
    "Label",
    "LiveGraph",
    "Mention",
    "Qualifier",
    "Quantity",
    "Question",
    "RegenerateRequest",
    "RepairAction",
    "RepairKind",
    "RepairResult",
    "RevisionNotFoundError",
    "Sentence",
    "Snapshot",
    "StoreError",
    "Text",
    "UnitError",
    "UnknownNodeError",
    "UnverifiablePolicy",
    "VersionConflictError",
    "analyse_question",
    "arepair",
    "build_graph",
    "check",
    "detect_language",
    "display_name",
    "dump_csv",
    "dump_graphml",
    "dump_json",
    "edge_facts",
    "entails",
    "extract_claims",
    "graph_facts",
    "link",
    "literal_facts",
    "load_graph",
    "node_facts",
    "parse_csv",
    "parse_graphml",
    "parse_json",
    "parse_literal",
    "render_value",
    "repair",
    "retrieve",
    "same_graph",
    "same_value",
    "save_graph",
    "split_sentences",
    "supporting_facts",
    "surface_forms",
    "verbalise",
    "verbalise_comparison",
    "verbalise_window",
    "verify",
]
