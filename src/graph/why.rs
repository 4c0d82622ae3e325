//! Why a module is in a build list: the shortest requirement chain from a main module
//! (one breadth-first search over the whole list, so explaining many modules stays linear).

use super::BuildList;
use crate::module::ModuleVersion;
use std::collections::{HashMap, HashSet, VecDeque};

impl BuildList {
    /// Computes the shortest-path tree `why` reads: breadth-first from the main modules, in
    /// their order, children visited in sorted order.
    pub fn index_why(&mut self) {
        let mut children: HashMap<&str, Vec<&ModuleVersion>> = HashMap::new();
        for m in &self.modules {
            for r in &m.required_by {
                children.entry(r.path.as_str()).or_default().push(&m.module);
            }
        }
        for c in children.values_mut() {
            c.sort();
        }
        let mut parent: HashMap<String, ModuleVersion> = HashMap::new();
        let mut seen: HashSet<&str> = HashSet::new();
        let mut q: VecDeque<ModuleVersion> = VecDeque::new();
        for main in &self.main {
            if seen.insert(main.as_str()) {
                q.push_back(ModuleVersion::new(main.clone(), ""));
            }
        }
        while let Some(cur) = q.pop_front() {
            for m in children
                .get(cur.path.as_str())
                .map(Vec::as_slice)
                .unwrap_or_default()
            {
                if seen.insert(m.path.as_str()) {
                    parent.insert(m.path.clone(), cur.clone());
                    q.push_back((*m).clone());
                }
            }
        }
        self.why_parent = parent;
    }

    /// The shortest requirement chain from a main module to `path` (main module first);
    /// empty when `path` is not in the list, just `path` when no chain is known (a vendored
    /// list records none).
    pub fn why(&self, path: &str) -> Vec<ModuleVersion> {
        let Some(m) = self.get(path) else {
            return Vec::new();
        };
        let mut chain = vec![m.module.clone()];
        let mut cur = path;
        while let Some(p) = self.why_parent.get(cur) {
            chain.push(p.clone());
            if p.version.is_empty() {
                break;
            }
            cur = &p.path;
        }
        chain.reverse();
        chain
    }
}
