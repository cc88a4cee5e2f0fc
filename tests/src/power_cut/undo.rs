//! What a power cut would take back from one file: the bytes of every sector written
//! (or cut off) since the file's last fsync, as they were at that fsync.

use rand::RngExt;
use std::collections::BTreeMap;

/// The unit a power cut keeps or loses whole. Smaller than SQLite's page and the
/// 4 KiB a disk writes atomically: a cut may tear a page, or a WAL frame, anywhere.
pub const SECTOR: u64 = 512;

/// One file's writes since its last fsync.
#[derive(Debug, Clone)]
pub struct FileLog {
    /// Its length at the last fsync (or when first opened: what was there is durable).
    synced_len: u64,
    /// Its length now.
    len: u64,
    /// Sector number to the bytes it held at the last fsync (shorter than a sector, or
    /// empty, where the file ended before it).
    before: BTreeMap<u64, Vec<u8>>,
}

/// What to do to a file to make it what a power cut leaves: write these sectors back,
/// then set the length.
#[derive(Debug, PartialEq, Eq)]
pub struct Restore {
    pub writes: Vec<(u64, Vec<u8>)>,
    pub len: u64,
}

impl FileLog {
    pub fn new(len: u64) -> FileLog {
        FileLog {
            synced_len: len,
            len,
            before: BTreeMap::new(),
        }
    }

    pub fn file_len(&self) -> u64 {
        self.len
    }

    pub fn is_synced(&self) -> bool {
        self.before.is_empty() && self.len == self.synced_len
    }

    /// The sectors of `from..to` whose last-synced bytes are not saved yet, each with
    /// the range of the file (clipped to its length) to read them from.
    pub fn unsaved(&self, from: u64, to: u64) -> Vec<(u64, std::ops::Range<u64>)> {
        if to <= from {
            return Vec::new();
        }
        (from / SECTOR..to.div_ceil(SECTOR))
            .filter(|s| !self.before.contains_key(s))
            .map(|s| {
                let start = s * SECTOR;
                (s, start.min(self.len)..(start + SECTOR).min(self.len))
            })
            .collect()
    }

    /// Keeps what a sector held before its first change since the last fsync.
    pub fn save(&mut self, sector: u64, bytes: Vec<u8>) {
        self.before.entry(sector).or_insert(bytes);
    }

    /// The file now ends at `len` (after a write past its end, a truncation, a resize).
    pub fn resized(&mut self, len: u64) {
        self.len = len;
    }

    /// An fsync returned: everything written so far is durable.
    pub fn synced(&mut self) {
        self.before.clear();
        self.synced_len = self.len;
    }

    /// What the cut leaves. Without `tear`, every write since the fsync is lost: the
    /// sectors go back and the length with them. With it, each sector is lost or kept
    /// at random, and the length is either; a sector lost past the old end reads as
    /// zeros, as a block allocated but never written does.
    pub fn restore(&self, tear: Option<&mut dyn rand::Rng>) -> Restore {
        let (lose, len): (Vec<u64>, u64) = match tear {
            None => (self.before.keys().copied().collect(), self.synced_len),
            Some(rng) => (
                self.before
                    .keys()
                    .copied()
                    .filter(|_| rng.random_bool(0.5))
                    .collect(),
                if rng.random_bool(0.5) {
                    self.synced_len
                } else {
                    self.len
                },
            ),
        };
        let writes = lose
            .into_iter()
            .filter(|s| s * SECTOR < len)
            .map(|s| {
                let mut bytes = self.before[&s].clone();
                bytes.resize(SECTOR as usize, 0);
                (s * SECTOR, bytes)
            })
            .collect();
        Restore { writes, len }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    /// A file in memory that logs like the shim does, to check restore against.
    struct Disk {
        bytes: Vec<u8>,
        log: FileLog,
    }

    impl Disk {
        fn write(&mut self, at: u64, data: &[u8]) {
            let end = at + data.len() as u64;
            for (s, range) in self.log.unsaved(at, end) {
                let old = self.bytes[range.start as usize..range.end as usize].to_vec();
                self.log.save(s, old);
            }
            if self.bytes.len() < end as usize {
                self.bytes.resize(end as usize, 0);
            }
            self.bytes[at as usize..end as usize].copy_from_slice(data);
            self.log.resized(self.log.file_len().max(end));
        }

        fn truncate(&mut self, len: u64) {
            for (s, range) in self.log.unsaved(len, self.log.file_len()) {
                let old = self.bytes[range.start as usize..range.end as usize].to_vec();
                self.log.save(s, old);
            }
            self.bytes.truncate(len as usize);
            self.log.resized(len);
        }

        fn after_cut(&self, tear: Option<&mut dyn rand::Rng>) -> Vec<u8> {
            let restore = self.log.restore(tear);
            let mut bytes = self.bytes.clone();
            for (at, data) in restore.writes {
                let end = at as usize + data.len();
                if bytes.len() < end {
                    bytes.resize(end, 0);
                }
                bytes[at as usize..end].copy_from_slice(&data);
            }
            bytes.resize(restore.len as usize, 0);
            bytes
        }
    }

    fn disk(len: usize) -> Disk {
        Disk {
            bytes: (0..len).map(|i| (i % 251) as u8).collect(),
            log: FileLog::new(len as u64),
        }
    }

    #[test]
    fn a_clean_cut_gives_back_the_file_as_it_was_at_its_last_fsync() {
        let mut d = disk(3000);
        d.write(100, &[1; 700]);
        d.log.synced();
        let synced = d.bytes.clone();
        d.write(600, &[2; 2000]);
        d.truncate(1000);
        d.write(5000, &[3; 10]);
        d.write(700, &[4; 5]);
        assert_ne!(d.bytes, synced);
        assert_eq!(d.after_cut(None), synced);
        d.log.synced();
        assert!(d.log.is_synced());
        assert_eq!(d.after_cut(None), d.bytes);
    }

    #[test]
    fn a_torn_cut_leaves_each_sector_old_or_new_and_touches_nothing_unwritten() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let mut torn_some = false;
        for _ in 0..50 {
            let mut d = disk(4096);
            let synced = d.bytes.clone();
            d.write(1000, &[9; 3000]);
            d.write(4000, &[8; 900]);
            let new = d.bytes.clone();
            let after = d.after_cut(Some(&mut rng));
            assert!(after.len() == synced.len() || after.len() == new.len());
            let (mut old_sectors, mut new_sectors) = (0, 0);
            for (i, chunk) in after.chunks(SECTOR as usize).enumerate() {
                let at = i * SECTOR as usize;
                let old: &[u8] = synced
                    .get(at..)
                    .map_or(&[], |rest| &rest[..rest.len().min(chunk.len())]);
                let was_new = &new[at..at + chunk.len()] == chunk;
                // Past the old end, a lost sector reads as zeros.
                let was_old =
                    chunk[..old.len()] == *old && chunk[old.len()..].iter().all(|b| *b == 0);
                assert!(was_new || was_old, "sector {i} is neither old nor new");
                old_sectors += usize::from(was_old && !was_new);
                new_sectors += usize::from(was_new && !was_old);
                if at + chunk.len() <= 1000 {
                    assert_eq!(chunk, &synced[at..at + chunk.len()], "unwritten sector {i}");
                }
            }
            torn_some |= old_sectors > 0 && new_sectors > 0;
        }
        assert!(torn_some, "no cut kept some sectors and lost others");
    }
}
