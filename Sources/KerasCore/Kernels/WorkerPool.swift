import CKernels
import Dispatch
import Foundation
import Synchronization

/// The threads ``Parallel`` hands pieces of a loop to: one per extra core, each spinning for a
/// short while after its last piece before it sleeps.
///
/// Waking a sleeping thread (a futex wake, then the scheduler) costs tens of microseconds on a
/// virtual machine, on both threads; a training step of a small model has several parallel
/// loops of about that length, so with `DispatchQueue.concurrentPerform` they were cheaper on
/// one core. A worker that is still spinning starts a piece within a fraction of a microsecond.
///
/// A loop's pieces are claimed from a shared counter, by the calling thread too: the caller
/// takes every piece no worker has started, so a worker the system has descheduled never holds
/// the loop up (OpenMP's barriers wait for every team thread, which is why oneDNN's own
/// threading is not used; see ``Gemm``). One loop runs on the pool at a time; a loop started
/// while another runs (from another thread) goes to `concurrentPerform` instead.
final class WorkerPool: @unchecked Sendable {
    /// The pool of the process: `coreCount − 1` workers, started on first use.
    static let shared = WorkerPool(workers: Parallel.coreCount - 1)

    /// Nanoseconds a worker spins (x86 `pause`) after its last piece before it sleeps: longer
    /// than the gaps between the parallel loops of a training step, short enough that an idle
    /// process goes quiet at once (a pause is ~25 ns on this 2-core AMD EPYC). Measured here,
    /// 60 µs, 600 µs and 1.2 ms gave the LSTM, Transformer and MLP fits within run-to-run noise
    /// (±5%) of each other; 500 µs leaves room for slower steps. `KERAS_SPIN_US` overrides it
    /// (0: workers sleep at once).
    static let spinNanoseconds = UInt64(ProcessInfo.processInfo.environment["KERAS_SPIN_US"].flatMap { Int($0) }.map { max(0, $0) } ?? 500) * 1000

    /// One loop: its pieces, the next piece to claim and the body.
    private final class Job {
        let pieces: Int
        let next = Atomic<Int>(0)
        let body: (Int) -> Void
        init(pieces: Int, body: @escaping (Int) -> Void) { (self.pieces, self.body) = (pieces, body) }

        /// Claims and runs pieces until none is left.
        func runPieces() {
            while true {
                let p = next.add(1, ordering: .relaxed).oldValue
                if p >= pieces { return }
                body(p)
            }
        }
    }

    /// A worker's mailbox: 0 empty, 1 taken (a job is running), else the posted job's address.
    private final class Worker: Sendable {
        let mailbox = Atomic<UInt>(0)
        let sleeping = Atomic<Bool>(false)
        let wake = DispatchSemaphore(value: 0)
    }

    private let workers: [Worker]
    private let busy = Atomic<Bool>(false)
    private let started = Atomic<Bool>(false)
    private let startLock = NSLock()

    private init(workers count: Int) {
        workers = (0..<max(0, count)).map { _ in Worker() }
    }

    /// Runs `body(p)` for `p` in `0..<pieces`, on the calling thread and the workers; returns
    /// when all have run. Returns false (running nothing) when the pool is busy with another
    /// loop or has no workers.
    func run(_ pieces: Int, _ body: (Int) -> Void) -> Bool {
        guard !workers.isEmpty, pieces > 1,
              busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else { return false }
        defer { busy.store(false, ordering: .releasing) }
        startIfNeeded()
        withoutActuallyEscaping(body) { body in
            let job = Job(pieces: pieces, body: body)
            let address = UInt(bitPattern: Unmanaged.passUnretained(job).toOpaque())
            let helpers = workers.prefix(pieces - 1)
            for worker in helpers {
                worker.mailbox.store(address, ordering: .sequentiallyConsistent)
                if worker.sleeping.exchange(false, ordering: .sequentiallyConsistent) { worker.wake.signal() }
            }
            job.runPieces()
            // Take back the posts no worker picked up; wait for those that did to finish.
            for worker in helpers
            where !worker.mailbox.compareExchange(expected: address, desired: 0, ordering: .acquiringAndReleasing).exchanged {
                while worker.mailbox.load(ordering: .acquiring) != 0 { keras_cpu_relax() }
            }
            withExtendedLifetime(job) {}
        }
        return true
    }

    private func startIfNeeded() {
        if started.load(ordering: .acquiring) { return }
        startLock.lock()
        defer { startLock.unlock() }
        if started.load(ordering: .acquiring) { return }
        for worker in workers {
            let thread = Thread { WorkerPool.loop(worker) }
            thread.name = "keras-worker"
            thread.start()
        }
        started.store(true, ordering: .releasing)
    }

    /// A worker's life: take a posted job, run pieces, spin a while for the next, then sleep.
    private static func loop(_ worker: Worker) {
        var idle = 0
        var idleSince: UInt64 = 0
        while true {
            let posted = worker.mailbox.load(ordering: .acquiring)
            if posted > 1, worker.mailbox.compareExchange(expected: posted, desired: 1, ordering: .acquiringAndReleasing).exchanged {
                // Unretained: the poster keeps the job alive until the mailbox is empty again.
                Unmanaged<Job>.fromOpaque(UnsafeRawPointer(bitPattern: posted)!)._withUnsafeGuaranteedRef { job in
                    Parallel.asRegion { job.runPieces() }
                }
                worker.mailbox.store(0, ordering: .releasing)
                idle = 0
                continue
            }
            // The clock is read every 64 pauses.
            if idle == 0 { idleSince = DispatchTime.now().uptimeNanoseconds }
            idle += 1
            if idle % 64 != 0 || DispatchTime.now().uptimeNanoseconds - idleSince < spinNanoseconds {
                keras_cpu_relax()
                continue
            }
            // Sleep, unless a job was posted after the last look (then the poster may or may
            // not have seen `sleeping`: if it did, its signal is consumed here).
            worker.sleeping.store(true, ordering: .sequentiallyConsistent)
            if worker.mailbox.load(ordering: .sequentiallyConsistent) > 1 {
                if !worker.sleeping.exchange(false, ordering: .sequentiallyConsistent) { worker.wake.wait() }
            } else {
                worker.wake.wait()
            }
            idle = 0
        }
    }
}
