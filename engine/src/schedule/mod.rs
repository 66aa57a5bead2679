//! The critical path method (CPM) in working days on a DAG.
