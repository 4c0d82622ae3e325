//! Why a module is in a build list: the shortest requirement chain from a main module
//! (one breadth-first search over the whole list, so explaining many modules stays linear).

use super::{BuildList, PathIndex, WhyTree};
use crate::module::ModuleVersion;
use std::collections::VecDeque;

/// No parent: a module no requirement path reaches (or a vendored list's).
const NONE: u32 = u32::MAX;
/// Parents from here up are the main modules (`MAIN + k` is `main[k]`).
const MAIN: u32 = u32::MAX / 2;

impl BuildList {
    /// Indexes the list: where each path is (`get`), and the shortest-path tree `why`
    /// reads, breadth-first from the main modules in their order, over the requirements of
    /// every loaded version of a module (children visited in path order).
    pub fn index_why(&mut self) {
        self.lookup = PathIndex::new(&self.modules);
        let n = self.modules.len();
        // Per requiring path: the modules (by position) a loaded version of it requires.
        let mut children: foldhash::HashMap<&str, Vec<u32>> = Default::default();
        for node in &self.nodes.0 {
            for r in &node.summary.require {
                if let Some(i) = self.position(&r.path) {
                    children
                        .entry(node.module.path.as_str())
                        .or_default()
                        .push(i as u32);
                }
            }
        }
        // Positions follow paths (the list is sorted by path, one module per path).
        for c in children.values_mut() {
            c.sort_unstable();
            c.dedup();
        }
        let mut parent = vec![NONE; n];
        let mut seen = vec![false; n];
        let mut mains: Vec<ModuleVersion> = Vec::new();
        let mut q: VecDeque<(u32, &str)> = VecDeque::new();
        for main in &self.main {
            if mains.iter().all(|m| m.path != *main) {
                q.push_back((MAIN + mains.len() as u32, main.as_str()));
                mains.push(ModuleVersion::new(main.clone(), ""));
            }
        }
        while let Some((cur, path)) = q.pop_front() {
            for &i in children.get(path).map(Vec::as_slice).unwrap_or_default() {
                // (The main modules are not in `modules`: never a step.)
                if seen[i as usize] {
                    continue;
                }
                seen[i as usize] = true;
                parent[i as usize] = cur;
                q.push_back((i, self.modules[i as usize].module.path.as_str()));
            }
        }
        self.why_tree = WhyTree { parent, mains };
    }

    /// The shortest requirement chain from a main module to `path` (main module first);
    /// empty when `path` is not in the list, just `path` when no chain is known (a vendored
    /// list records none).
    pub fn why(&self, path: &str) -> Vec<ModuleVersion> {
        self.why_refs(path).into_iter().cloned().collect()
    }

    /// `why`, borrowing from the list.
    pub fn why_refs(&self, path: &str) -> Vec<&ModuleVersion> {
        match self.position(path) {
            Some(i) => self.why_at(i),
            None => Vec::new(),
        }
    }

    /// `why_refs` of the module at position `i` of `modules`.
    pub fn why_at(&self, i: usize) -> Vec<&ModuleVersion> {
        if i >= self.modules.len() {
            return Vec::new();
        }
        let t = &self.why_tree;
        let mut chain = vec![&self.modules[i].module];
        let mut cur = t.parent.get(i).copied().unwrap_or(NONE);
        while cur != NONE {
            if cur >= MAIN {
                if let Some(m) = t.mains.get((cur - MAIN) as usize) {
                    chain.push(m);
                }
                break;
            }
            chain.push(&self.modules[cur as usize].module);
            cur = t.parent.get(cur as usize).copied().unwrap_or(NONE);
        }
        chain.reverse();
        chain
    }
}
