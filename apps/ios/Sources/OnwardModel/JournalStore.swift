import Foundation

/// A failed action, with what to show the person.
public struct Problem: Error, Equatable {
    public let shown: String
    public init(_ shown: String) { self.shown = shown }
}

/// The journal file, opened, with every storage call on a serial background queue (the
/// bindings' calls block on SQLite; never on the main thread). The core's observer news
/// arrives on `changes` for the `AppModel` to route to the screens showing what changed.
public final class JournalStore: @unchecked Sendable {
    private let journal: Journal
    private let queue = DispatchQueue(label: "app.onward.storage", qos: .userInitiated)
    private var observer: ObserverHandle?
    private let continuation: AsyncStream<JournalChange>.Continuation

    /// What each write changed, in order; read by one router.
    public let changes: AsyncStream<JournalChange>

    private init(journal: Journal) {
        self.journal = journal
        (changes, continuation) = AsyncStream.makeStream(of: JournalChange.self)
        observer = journal.observe(observer: Forwarder(continuation))
    }

    /// Opens (or creates) the journal at `path` off the main thread, with this device's
    /// sync keys kept in `secrets` (never in the journal file), days taken in `timeZone`
    /// (the device's) and "now" read from `clock` (the system's when nil; tests pin it).
    /// A file that is not a journal raises a `Problem` and is left untouched.
    public static func open(
        path: String, secrets: SecretStore, timeZone: TimeZone = .current, clock: JournalClock? = nil
    ) async throws -> JournalStore {
        try await withCheckedThrowingContinuation { done in
            DispatchQueue.global(qos: .userInitiated).async {
                do {
                    let journal = try Journal.open(path: path, secrets: secrets)
                    if let clock { journal.setClock(clock: clock) }
                    try journal.setTimeZone(name: timeZone.identifier)
                    done.resume(returning: JournalStore(journal: journal))
                } catch {
                    done.resume(throwing: Problem(Words.problem(error)))
                }
            }
        }
    }

    /// Runs `body` against the journal on the storage queue; a journal error comes back as
    /// a `Problem` in our words, and nothing was written.
    public func attempt<T>(_ body: @escaping (Journal) throws -> T) async -> Result<T, Problem> {
        await withCheckedContinuation { done in
            queue.async { [journal] in
                do { done.resume(returning: .success(try body(journal))) } catch {
                    done.resume(returning: .failure(Problem(Words.problem(error))))
                }
            }
        }
    }

    deinit {
        observer?.stop()
        continuation.finish()
    }
}

/// Hands the core's news (told on the writing thread) to the stream.
private final class Forwarder: JournalObserver, @unchecked Sendable {
    private let continuation: AsyncStream<JournalChange>.Continuation
    init(_ continuation: AsyncStream<JournalChange>.Continuation) { self.continuation = continuation }
    func onChange(change: JournalChange) { continuation.yield(change) }
}

extension JournalChange {
    func touches(_ kinds: Set<RecordKind>) -> Bool { self.kinds.contains { kinds.contains($0) } }
}
