"""The planning model as one sparse 0/1 matrix, built with numpy, and its independent parts.

One column per eligible (volunteer, shift) pair, one row per constraint that can bind (see
``scheduler.domain.planner`` for the model). Everything is computed on arrays: the pairs are
read once into columns, and each rule is a few vectorised passes, never a Python loop per pair:

* a shift's places: a row when it has more candidates than places;
* a volunteer's overlapping seats: with the pairs sorted by volunteer then start, the seats that
  are still running when pair ``i`` starts are ``i`` and earlier pairs of the same volunteer
  ending after that start; that set is a clique of the interval graph, kept when maximal (the
  next pair starts after one of them ends). Earlier pairs are found by offset: pair ``i - d``
  for d = 1, 2, ... up to the volunteer with the most pairs;
* seats at different courts that do not overlap but sit closer than the travel buffer: a row
  ``x_a + x_b <= 1`` per such pair of pairs, found in the same offset passes;
* a volunteer's week: a row when they have more candidate seats that week than room left.

Parts: columns linked by no row can be solved apart. ``parts`` finds the connected components
of the graph linking each row to its columns (scipy's ``connected_components``); a part with no row is
free (every pair in it can be taken).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import connected_components

from scheduler.domain.plan_model import Candidate, PlanProblem

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Model:
    """Columns (pairs) and rows (constraints ``matrix @ x <= upper``) of one planning model."""

    users: Ints
    shifts: Ints
    priority: Floats
    score: Floats
    places: Ints  # per column: the open places of its shift
    matrix: csr_matrix
    upper: Floats

    @property
    def size(self) -> int:
        return len(self.users)

    def part(self, cols: Ints, rows: Ints) -> Model:
        return Model(
            self.users[cols],
            self.shifts[cols],
            self.priority[cols],
            self.score[cols],
            self.places[cols],
            csr_matrix(self.matrix[rows][:, cols]),
            self.upper[rows],
        )

    def lines(self, chosen: npt.NDArray[np.bool_]) -> list[tuple[int, int]]:
        return list(zip(self.users[chosen].tolist(), self.shifts[chosen].tolist(), strict=True))

    def column_of(self, lines: Sequence[tuple[int, int]]) -> npt.NDArray[np.bool_]:
        """A 0/1 vector of these lines (those that are columns of this model)."""
        wanted = set(lines)
        pairs = zip(self.users.tolist(), self.shifts.tolist(), strict=True)
        return np.fromiter((p in wanted for p in pairs), dtype=np.bool_, count=self.size)


def _seconds(at: datetime) -> int:
    return int((at - EPOCH).total_seconds())


def build_model(problem: PlanProblem, pairs: Sequence[Candidate]) -> Model:
    """The model over ``pairs`` (each naming a seat of the problem)."""
    seats = sorted(problem.seats, key=lambda s: s.shift_id)
    seat_ids = np.array([s.shift_id for s in seats], dtype=np.int64)
    n = len(pairs)
    users = np.fromiter((p.user_id for p in pairs), dtype=np.int64, count=n)
    shifts = np.fromiter((p.shift_id for p in pairs), dtype=np.int64, count=n)
    score = np.clip(np.fromiter((p.score for p in pairs), dtype=np.float64, count=n), 0.0, 1.0)
    seat = np.searchsorted(seat_ids, shifts)
    col = {
        "start": np.array([_seconds(s.starts_at) for s in seats], dtype=np.int64)[seat],
        "end": np.array([_seconds(s.ends_at) for s in seats], dtype=np.int64)[seat],
        "court": np.array([s.court_id for s in seats], dtype=np.int64)[seat],
        "week": np.array([s.week[0] * 100 + s.week[1] for s in seats], dtype=np.int64)[seat],
    }
    places = np.array([s.places for s in seats], dtype=np.int64)
    blocks = [
        _seat_rows(seat, places),
        *_clash_rows(users, col, int(problem.travel_buffer.total_seconds())),
        _week_rows(problem, users, col["week"]),
    ]
    rows, cols, upper = _stack(blocks)
    matrix = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(upper), n)).tocsr()
    priority = np.array([s.priority for s in seats], dtype=np.float64)[seat]
    return Model(users, shifts, priority, score, places[seat], matrix, upper)


Block = tuple[Ints, Ints, Floats]  # (row, column) entries numbered from 0 in the block; bounds


def _stack(blocks: Sequence[Block]) -> Block:
    rows: list[Ints] = []
    offset = 0
    for r, _, upper in blocks:
        rows.append(r + offset)
        offset += len(upper)
    return (
        np.concatenate(rows),
        np.concatenate([c for _, c, _ in blocks]),
        np.concatenate([u for _, _, u in blocks]),
    )


def _groups(keys: Ints) -> tuple[Ints, Ints, Ints]:
    """Each key's group number, and per group its key and size."""
    unique, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
    return inverse.astype(np.int64), unique.astype(np.int64), counts.astype(np.int64)


def _binding(group: Ints, counts: Ints, room: Ints) -> Block:
    """One row per group with more members than room."""
    binds = counts > room
    row_of = np.cumsum(binds) - 1
    member = binds[group]
    return row_of[group[member]], np.flatnonzero(member), room[binds].astype(np.float64)


def _seat_rows(seat: Ints, places: Ints) -> Block:
    group, seat_index, counts = _groups(seat)
    return _binding(group, counts, places[seat_index])


def _week_rows(problem: PlanProblem, users: Ints, week: Ints) -> Block:
    keys = users * 1_000_000 + week
    group, unique, counts = _groups(keys)
    room = np.array(
        [problem.room(int(k // 1_000_000), (int(k % 1_000_000) // 100, int(k % 100))) for k in unique],
        dtype=np.int64,
    )
    return _binding(group, counts, room)


def _cat(arrays: Sequence[Ints]) -> Ints:
    return np.concatenate(arrays) if len(arrays) else np.zeros(0, dtype=np.int64)


def _clash_rows(users: Ints, col: dict[str, Ints], buffer: int) -> tuple[Block, Block]:
    """Maximal overlap cliques per volunteer, and pairs of seats inside the travel buffer."""
    order = np.lexsort((col["start"], users))
    u, start, end, court = users[order], col["start"][order], col["end"][order], col["court"][order]
    n = len(u)
    last: list[Ints] = []  # a clique is named by its last pair; with each, one earlier member
    member: list[Ints] = []
    near_a: list[Ints] = []
    near_b: list[Ints] = []
    min_end = end.copy()
    for d in range(1, n):
        later = np.arange(d, n)
        earlier = later - d
        same = u[later] == u[earlier]
        if not same.any():
            break  # sorted by volunteer: nobody has more than d pairs
        running = same & (end[earlier] > start[later])
        last.append(later[running])
        member.append(earlier[running])
        np.minimum.at(min_end, later[running], end[earlier[running]])
        overlap = (start[later] < end[earlier]) & (start[earlier] < end[later])
        near = (start[later] - buffer < end[earlier]) & (start[earlier] < end[later] + buffer)
        close = same & ~overlap & near & (court[later] != court[earlier]) & (buffer > 0)
        near_a.append(later[close])
        near_b.append(earlier[close])
    return _cliques(order, u, start, min_end, _cat(last), _cat(member)), _couples(
        order, _cat(near_a), _cat(near_b)
    )


def _cliques(order: Ints, u: Ints, start: Ints, min_end: Ints, last: Ints, member: Ints) -> Block:
    """Rows for the maximal cliques: pair i's clique is maximal unless the next pair of the
    same volunteer starts before every seat in it has ended."""
    n = len(u)
    size = np.bincount(last, minlength=n) + 1
    next_same = np.append(u[1:] == u[:-1], False)
    next_start = np.append(start[1:], 0)
    maximal = (size >= 2) & (~next_same | (min_end <= next_start))
    row_of = np.cumsum(maximal) - 1
    keep = maximal[last]
    named = np.flatnonzero(maximal)
    rows = np.concatenate([row_of[named], row_of[last[keep]]])
    return rows, order[np.concatenate([named, member[keep]])], np.ones(len(named))


def _couples(order: Ints, a: Ints, b: Ints) -> Block:
    rows = np.arange(len(a), dtype=np.int64)
    return np.concatenate([rows, rows]), order[np.concatenate([a, b])], np.ones(len(a))


def parts(model: Model) -> list[tuple[Ints, Ints]]:
    """The independent parts as (columns, rows), largest first."""
    n_rows = model.matrix.shape[0]
    empty = np.zeros(0, dtype=np.int64)
    if n_rows == 0:
        return [(np.array([k], dtype=np.int64), empty) for k in range(model.size)]
    entries = model.matrix.tocoo()
    size = n_rows + model.size
    # Rows and columns are the nodes; each non-zero links its row to its column.
    graph = coo_matrix((entries.data, (entries.row, entries.col + n_rows)), shape=(size, size))
    _, labels = connected_components(graph, directed=False)
    rows_by = _split(labels[:n_rows])
    found = [(cols, rows_by.get(label, empty)) for label, cols in _split(labels[n_rows:]).items()]
    return sorted(found, key=lambda part: -len(part[0]))


def _split(labels: npt.NDArray[np.int32]) -> dict[int, Ints]:
    """Positions grouped by label."""
    if not len(labels):
        return {}
    order = np.argsort(labels, kind="stable").astype(np.int64)
    cuts = np.flatnonzero(np.diff(labels[order])) + 1
    return dict(zip(labels[order][np.r_[0, cuts]].tolist(), np.split(order, cuts), strict=True))
