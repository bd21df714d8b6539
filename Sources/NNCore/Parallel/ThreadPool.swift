#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// A persistent pool of worker threads for the kernels: workers spin briefly for the next job, then sleep.
///
/// `DispatchQueue.concurrentPerform` costs tens of microseconds per call, which loses on the small GEMMs
/// of a training step; a spinning pool hands out work in about a microsecond. The caller takes part in every
/// job, so `threadCount` is the total number of threads working. Work is split by task index, never by
/// timing, so results are identical for a given thread count.
public final class ThreadPool: @unchecked Sendable {
    /// The pool the kernels use.
    public static let shared = ThreadPool()

    /// The number of online processors.
    public static var processorCount: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

    private let generation = Atomic<Int>(0)
    private let nextTask = Atomic<Int>(0)
    private let pending = Atomic<Int>(0)
    private let sleepers = Atomic<Int>(0)
    private let busy = Mutex(false)
    private var job: ((_ task: Int, _ thread: Int) -> Void)?
    private var taskCount = 0
    /// The `ComputeContext` of the job's caller.
    private var jobContext = ComputeContext()
    private var participants = 1
    private var workers = 0
    /// The most threads a job may use (workers are started as jobs need them).
    private let maximumThreads: Int
    private let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let wake = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    /// Creates a pool of at most `threads` threads (workers start on first use). The shared pool allows up to 256:
    /// the current `ComputeContext` says how many a job uses.
    public init(threads: Int = 256) {
        maximumThreads = max(1, threads)
        pthread_mutex_init(lock, nil)
        pthread_cond_init(wake, nil)
    }

    /// The number of threads a job uses, including the caller: `ComputeContext.current.threads`, capped by the
    /// pool's size.
    public var threadCount: Int { min(ComputeContext.current.threads, maximumThreads) }

    /// Runs `body(task, thread)` for every task in `0 ..< count` across the pool and returns when all are done.
    /// `thread` is in `0 ..< threadCount` and identifies per-thread scratch space. Nested or concurrent calls
    /// run serially on the calling thread.
    public func parallelFor(_ count: Int, _ body: (_ task: Int, _ thread: Int) -> Void) {
        guard count > 1 else {
            // One task runs here without taking the pool: kernels called inside other tasks ask for one often.
            if count == 1 { body(0, 0) }
            return
        }
        let acquired = busy.withLock { isBusy -> Bool in
            if isBusy { return false }
            isBusy = true
            return true
        }
        guard acquired else {
            for task in 0..<count { body(task, 0) }
            return
        }
        defer { busy.withLock { $0 = false } }
        let threads = min(ComputeContext.current.threads, maximumThreads, count)
        guard threads > 1 else {
            for task in 0..<count { body(task, 0) }
            return
        }
        while workers < threads - 1 { startWorker(index: workers); workers += 1 }
        jobContext = ComputeContext.current
        withoutActuallyEscaping(body) { body in
            job = body
            taskCount = count
            participants = threads
            nextTask.store(0, ordering: .relaxed)
            pending.store(threads - 1, ordering: .relaxed)
            generation.add(1, ordering: .sequentiallyConsistent)
            if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                pthread_mutex_lock(lock)
                pthread_cond_broadcast(wake)
                pthread_mutex_unlock(lock)
            }
            runTasks(thread: 0)
            while pending.load(ordering: .acquiring) > 0 { spinPause() }
            job = nil
        }
    }

    private func runTasks(thread: Int) {
        guard let job else { return }
        let count = taskCount
        while true {
            let task = nextTask.add(1, ordering: .relaxed).oldValue
            if task >= count { break }
            job(task, thread)
        }
    }

    private func startWorker(index: Int) {
        let context = Unmanaged.passRetained(WorkerContext(pool: self, index: index, generation: generation.load(ordering: .acquiring))).toOpaque()
        var thread = pthread_t()
        let created = pthread_create(&thread, nil, { raw in
            let context = Unmanaged<WorkerContext>.fromOpaque(raw!).takeRetainedValue()
            context.pool.workerLoop(index: context.index, seen: context.generation)
            return nil
        }, context)
        precondition(created == 0, "internal: cannot start a kernel thread")
        pthread_detach(thread)
    }

    /// Waits for each job after generation `seen` (the generation when the worker was created, so a job
    /// published before the thread got to run is not missed).
    private func workerLoop(index: Int, seen start: Int) {
        var seen = start
        while true {
            var spins = 0, spinStart: UInt64 = 0
            while generation.load(ordering: .acquiring) == seen {
                spins &+= 1
                if spins & 255 != 0 {
                    spinPause()
                } else if spinStart == 0 {
                    spinStart = Self.monotonicNanoseconds()
                } else if Self.monotonicNanoseconds() &- spinStart < Self.spinNanoseconds {
                    spinPause()
                } else {
                    pthread_mutex_lock(lock)
                    sleepers.add(1, ordering: .sequentiallyConsistent)
                    while generation.load(ordering: .sequentiallyConsistent) == seen { pthread_cond_wait(wake, lock) }
                    sleepers.subtract(1, ordering: .sequentiallyConsistent)
                    pthread_mutex_unlock(lock)
                }
            }
            seen = generation.load(ordering: .acquiring)
            if index + 1 < participants {
                // The worker runs in the caller's context, so that the kernels it runs decide as the caller's do.
                let context = jobContext
                if context == ComputeContext.current { runTasks(thread: index + 1) } else { context.run { runTasks(thread: index + 1) } }
                pending.subtract(1, ordering: .releasing)
            }
        }
    }

    /// How long an idle worker polls for the next job before it sleeps: longer than the gaps a training step leaves
    /// between its parallel parts, because waking a sleeping worker costs about as much as a small GEMM.
    static let spinNanoseconds: UInt64 = 1_000_000

    private static func monotonicNanoseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec)
    }

    @inline(__always)
    private func spinPause() {
        #if arch(x86_64) || arch(i386)
        _mm_pause_shim()
        #endif
    }
}

@inline(__always)
private func _mm_pause_shim() {
    // A short, side-effect-free delay between polls (the `pause` hint is not reachable from Swift without C).
    for _ in 0..<8 { _ = Atomic<Int>(0).load(ordering: .relaxed) }
}

private final class WorkerContext {
    let pool: ThreadPool
    let index: Int
    let generation: Int
    init(pool: ThreadPool, index: Int, generation: Int) {
        self.pool = pool
        self.index = index
        self.generation = generation
    }
}
