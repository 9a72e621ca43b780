"""Search the course: notes passages and every concept's explanation, errata and quiz, ranked by bm25."""

from agents.knowledge.index import KINDS, CourseIndex, Hit, HitKind, course_index, load_notes

__all__ = ["KINDS", "CourseIndex", "Hit", "HitKind", "course_index", "load_notes"]
