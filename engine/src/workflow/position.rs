//! A position index for one YAML text: where every node of the document starts, by path.
//!
//! serde_yaml turns the text into typed values but forgets where they were; yaml-rust2's
//! event parser reports a marker for every node. Walking those events once records, for
//! each path (`tasks[3].needs[0]`), where the value starts and, for a mapping entry, where
//! its key starts, so that validation can point at the exact node it complains about.
//!
//! Paths join mapping keys with `.` and sequence indices with `[i]`; the document root is
//! the empty path. yaml-rust2's lines are 1-based and its columns 0-based (counted in
//! characters, not bytes); [`Pos`] is 1-based in both, like every diagnostic.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// A 1-based line and column (in characters) in a source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Pos {
    /// 1-based line.
    pub(super) line: usize,
    /// 1-based column, counted in characters.
    pub(super) column: usize,
}

impl Pos {
    /// The start of the text, where problems with the whole document are reported.
    pub(super) const START: Pos = Pos { line: 1, column: 1 };
}

/// Where one node of the document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct NodeInfo {
    /// Where the value starts: the first character of a scalar (its opening quote if it is
    /// quoted, its first content character if it is a block scalar), the `-` of a block
    /// sequence, the first key of a block mapping or the bracket of a flow collection.
    pub(super) value: Pos,
    /// Where the key of a mapping entry starts; `None` for sequence items and the root.
    pub(super) key: Option<Pos>,
    /// The style of a scalar, which tells how its text maps back onto the source.
    pub(super) style: Option<TScalarStyle>,
}

/// A key that appears twice in one mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct DuplicateKey {
    /// The key's text.
    pub(super) key: String,
    /// Where the second occurrence is.
    pub(super) at: Pos,
    /// Where the first occurrence is.
    pub(super) first: Pos,
}

/// The positions of every node of the first document of a YAML text.
#[derive(Debug, Clone, Default)]
pub(super) struct PositionIndex {
    nodes: HashMap<String, NodeInfo>,
    /// Keys repeated within one mapping, in document order.
    pub(super) duplicate_keys: Vec<DuplicateKey>,
    /// Where a second document starts, if the text has more than one.
    pub(super) second_document: Option<Pos>,
}

impl PositionIndex {
    /// Indexes `text`; a syntax error is returned with its position and yaml-rust2's message.
    pub(super) fn parse(text: &str) -> Result<PositionIndex, (Pos, String)> {
        let mut builder = Builder::default();
        let mut parser = Parser::new_from_str(text);
        parser
            .load(&mut builder, true)
            .map_err(|error| (pos(error.marker()), error.info().to_string()))?;
        Ok(builder.index)
    }

    /// The node at `path`, if the document has one there.
    pub(super) fn node(&self, path: &str) -> Option<&NodeInfo> {
        self.nodes.get(path)
    }

    /// Where the value at `path` starts; for a path the index does not know (a node reached
    /// through an alias, say), where its nearest known ancestor starts.
    pub(super) fn value(&self, path: &str) -> Pos {
        let mut path = path;
        loop {
            if let Some(node) = self.nodes.get(path) {
                return node.value;
            }
            match parent(path) {
                Some(up) => path = up,
                None => return Pos::START,
            }
        }
    }

    /// Where the key of the mapping entry at `path` starts, or its value if it has no key.
    pub(super) fn key(&self, path: &str) -> Pos {
        match self.nodes.get(path) {
            Some(NodeInfo { key: Some(key), .. }) => *key,
            _ => self.value(path),
        }
    }
}

/// The path of the node that holds the node at `path`; `None` for the root.
fn parent(path: &str) -> Option<&str> {
    if path.is_empty() {
        return None;
    }
    // The last segment is either `.key` or `[index]`; a key may itself contain `.` or `[`,
    // in which case the parent found is a shorter ancestor, which is still a fair place to
    // point at.
    let cut = path.rfind(['.', '[']).unwrap_or(0);
    Some(&path[..cut])
}

/// Joins a mapping key onto a path.
pub(super) fn join_key(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// Joins a sequence index onto a path.
pub(super) fn join_index(path: &str, index: usize) -> String {
    format!("{path}[{index}]")
}

fn pos(marker: &Marker) -> Pos {
    Pos {
        line: marker.line(),
        column: marker.col() + 1,
    }
}

/// An open collection while the events are walked.
#[derive(Debug)]
enum Frame {
    Mapping {
        path: String,
        /// The key whose value comes next, with where it starts.
        pending_key: Option<(String, Pos)>,
        /// Whether the first key is still to come (it moves the mapping's start, see below).
        first_key: bool,
        /// Keys seen so far, with where they are.
        keys: HashMap<String, Pos>,
    },
    Sequence {
        path: String,
        next: usize,
    },
}

/// The event receiver that fills a [`PositionIndex`].
#[derive(Debug, Default)]
struct Builder {
    index: PositionIndex,
    frames: Vec<Frame>,
    /// Char index of each mapping's start, to compare with its first key's.
    mapping_starts: HashMap<String, usize>,
    documents: usize,
    /// Nesting depth inside a collection used as a mapping key, which is not indexed.
    skip: usize,
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, event: Event, marker: Marker) {
        if self.documents > 1 {
            return;
        }
        match event {
            Event::DocumentStart => {
                self.documents += 1;
                if self.documents == 2 {
                    self.index.second_document = Some(pos(&marker));
                }
            }
            Event::Scalar(text, style, _, _) => self.node(Node::Scalar(text, style), marker),
            Event::Alias(_) => self.node(Node::Alias, marker),
            Event::MappingStart(_, _) => self.node(Node::Mapping, marker),
            Event::SequenceStart(_, _) => self.node(Node::Sequence, marker),
            Event::MappingEnd | Event::SequenceEnd => {
                if self.skip > 0 {
                    self.skip -= 1;
                } else {
                    self.frames.pop();
                }
            }
            Event::Nothing | Event::StreamStart | Event::StreamEnd | Event::DocumentEnd => {}
        }
    }
}

/// The kinds of node the index distinguishes.
enum Node {
    Scalar(String, TScalarStyle),
    Alias,
    Mapping,
    Sequence,
}

impl Builder {
    fn node(&mut self, node: Node, marker: Marker) {
        let is_collection = matches!(node, Node::Mapping | Node::Sequence);
        if self.skip > 0 {
            if is_collection {
                self.skip += 1;
            }
            return;
        }
        let at = pos(&marker);
        let (path, key) = match self.frames.last_mut() {
            None => (String::new(), None),
            Some(Frame::Sequence { path, next }) => {
                *next += 1;
                (join_index(path, *next - 1), None)
            }
            Some(Frame::Mapping {
                path,
                pending_key,
                first_key,
                keys,
            }) => match pending_key.take() {
                Some((key, key_at)) => (join_key(path, &key), Some(key_at)),
                None => {
                    // This node is a key. A block mapping's own start marker lies after its
                    // first key (at the `:`), so the first key's position is used instead.
                    if std::mem::take(first_key) {
                        let starts_later = self
                            .mapping_starts
                            .get(path.as_str())
                            .is_some_and(|start| marker.index() < *start);
                        if starts_later {
                            if let Some(info) = self.index.nodes.get_mut(path.as_str()) {
                                info.value = at;
                            }
                        }
                    }
                    let text = match node {
                        Node::Scalar(text, _) => text,
                        Node::Alias => "*".to_string(),
                        Node::Mapping | Node::Sequence => {
                            // A collection used as a key is not indexed.
                            self.skip = 1;
                            "?".to_string()
                        }
                    };
                    if let Some(first) = keys.get(&text) {
                        self.index.duplicate_keys.push(DuplicateKey {
                            key: text.clone(),
                            at,
                            first: *first,
                        });
                    } else {
                        keys.insert(text.clone(), at);
                    }
                    *pending_key = Some((text, at));
                    return;
                }
            },
        };
        let style = match &node {
            Node::Scalar(_, style) => Some(*style),
            _ => None,
        };
        // A repeated key keeps the position of its first occurrence (which serde_yaml
        // rejects anyway).
        self.index.nodes.entry(path.clone()).or_insert(NodeInfo {
            value: at,
            key,
            style,
        });
        match node {
            Node::Mapping => {
                self.mapping_starts.insert(path.clone(), marker.index());
                self.frames.push(Frame::Mapping {
                    path,
                    pending_key: None,
                    first_key: true,
                    keys: HashMap::new(),
                });
            }
            Node::Sequence => self.frames.push(Frame::Sequence { path, next: 0 }),
            Node::Scalar(..) | Node::Alias => {}
        }
    }
}
