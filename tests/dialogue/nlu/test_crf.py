from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

from dialogue.nlu.crf import CRF

TAGS = ["O", "B-a", "I-a", "B-b", "I-b"]


def _score(crf: CRF, emissions: torch.Tensor, path: tuple[int, ...]) -> torch.Tensor:
    transitions = crf.transitions + crf.constraint
    total = crf.start[path[0]] + crf.start_constraint[path[0]] + emissions[0, path[0]]
    for t in range(1, len(path)):
        total = total + transitions[path[t - 1], path[t]] + emissions[t, path[t]]
    return total + crf.end[path[-1]]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_crf_matches_brute_force(seed: int) -> None:
    generator = torch.Generator().manual_seed(seed)
    crf = CRF(TAGS)
    with torch.no_grad():
        for parameter in crf.parameters():
            parameter.copy_(torch.randn(parameter.shape, generator=generator))
    lengths = [3, 2]
    emissions = torch.randn(2, 3, len(TAGS), generator=generator)
    mask = torch.tensor([[True, True, True], [True, True, False]])
    tags = torch.tensor([[1, 2, 0], [3, 4, 0]])
    paths, nll_terms, marginals = [], [], []
    for row, length in enumerate(lengths):
        e = emissions[row, :length]
        all_paths = list(itertools.product(range(len(TAGS)), repeat=length))
        scores = torch.stack([_score(crf, e, p) for p in all_paths])
        paths.append(list(all_paths[int(scores.argmax())]))
        log_z = torch.logsumexp(scores, 0)
        nll_terms.append(log_z - _score(crf, e, tuple(tags[row, :length].tolist())))
        probs = torch.softmax(scores, 0)
        row_marginals = torch.zeros(length, len(TAGS))
        for p, prob in zip(all_paths, probs, strict=True):
            for t, tag in enumerate(p):
                row_marginals[t, tag] += prob
        marginals.append(row_marginals)
    with torch.no_grad():
        assert crf.decode(emissions, mask) == paths
        assert torch.allclose(
            crf.nll(emissions, tags, mask), torch.stack(nll_terms).mean(), atol=1e-4
        )
        computed = crf.marginals(emissions, mask)
    decoder = crf.sequence_decoder()
    for row, length in enumerate(lengths):
        assert torch.allclose(computed[row, :length], marginals[row], atol=1e-4)
        # The numpy decoder that serves one message at a time gives the same answers.
        one = emissions[row, :length].double().numpy()
        assert decoder.viterbi(one) == paths[row]
        assert np.allclose(decoder.marginals(one), marginals[row].detach().numpy(), atol=1e-4)


def test_bio_constraints_forbid_orphan_inside_tags() -> None:
    crf = CRF(TAGS)
    emissions = torch.zeros(1, 2, len(TAGS))
    emissions[0, :, TAGS.index("I-a")] = 50.0  # the tagger "wants" I-a everywhere
    (path,) = crf.decode(emissions, torch.ones(1, 2, dtype=torch.bool))
    assert [TAGS[i] for i in path] == ["B-a", "I-a"]


def test_sequence_decoder_handles_one_token_and_masked_tags() -> None:
    crf = CRF(TAGS)
    decoder = crf.sequence_decoder()
    emissions = np.zeros((1, len(TAGS)))
    emissions[0, TAGS.index("I-a")] = 50.0  # an orphan inside tag cannot start a sentence
    emissions[0, TAGS.index("B-b")] = -1e4  # a tag the domain masked out
    assert decoder.viterbi(emissions) in ([TAGS.index("O")], [TAGS.index("B-a")])
    marginals = decoder.marginals(emissions)
    assert marginals.shape == (1, len(TAGS))
    assert np.isclose(marginals.sum(), 1.0)
    assert marginals[0, TAGS.index("I-a")] < 1e-6
    assert marginals[0, TAGS.index("B-b")] < 1e-6
