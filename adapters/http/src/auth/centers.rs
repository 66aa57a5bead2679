//! Centers as a tree (city → county): a principal sees its own center's cases and those of
//! the centers below it, never a sibling's or a parent's.

use std::collections::BTreeMap;

use greenlane_engine::ids::CenterId;

/// The centers' tree, from the principals file.
#[derive(Debug, Clone, Default)]
pub struct Centers {
    parent: BTreeMap<CenterId, Option<CenterId>>,
    names: BTreeMap<CenterId, String>,
}

impl Centers {
    /// A tree from each center's parent (acyclic, checked by the principals file) and names.
    pub fn new(
        parent: BTreeMap<CenterId, Option<CenterId>>,
        names: BTreeMap<CenterId, String>,
    ) -> Centers {
        Centers { parent, names }
    }

    /// Whether a principal of `viewer` may see what belongs to `center`: `center` is
    /// `viewer` or lies below it. A center the tree does not know is seen only by itself.
    pub fn covers(&self, viewer: &CenterId, center: &CenterId) -> bool {
        let mut at = Some(center);
        // The depth bound guards against a tree built without the file's checks.
        for _ in 0..=self.parent.len() {
            match at {
                Some(c) if c == viewer => return true,
                Some(c) => at = self.parent.get(c).and_then(Option::as_ref),
                None => return false,
            }
        }
        false
    }

    /// The display name of `center`, if the file gives one.
    pub fn name(&self, center: &CenterId) -> Option<&str> {
        self.names.get(center).map(String::as_str)
    }

    /// Every center, by id.
    pub fn ids(&self) -> impl Iterator<Item = &CenterId> {
        self.parent.keys()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_center_sees_itself_and_below_never_a_sibling_or_above() {
        let c = |id: &str| CenterId::new(id);
        let centers = Centers::new(
            BTreeMap::from([
                (c("city"), None),
                (c("east"), Some(c("city"))),
                (c("west"), Some(c("city"))),
                (c("east-town"), Some(c("east"))),
            ]),
            BTreeMap::new(),
        );
        assert!(centers.covers(&c("city"), &c("city")));
        assert!(centers.covers(&c("city"), &c("east-town")));
        assert!(centers.covers(&c("east"), &c("east-town")));
        assert!(!centers.covers(&c("east"), &c("west")));
        assert!(!centers.covers(&c("east"), &c("city")));
        assert!(!centers.covers(&c("west"), &c("east-town")));
        assert!(centers.covers(&c("elsewhere"), &c("elsewhere")));
        assert!(!centers.covers(&c("city"), &c("elsewhere")));
    }
}
