import CMPI
import Foundation
import Keras

/// Data-parallel training over Open MPI, Keras's multi-worker strategy for swift-keras: set it on
/// a model (`Model.distribution`) and launch the same program with `mpirun`; `fit` then
/// trains every rank on its slice of each global batch and averages the gradients with
/// `MPI_Allreduce` (see `TrainingDistribution` in Keras for the exact semantics).
///
/// A property on the model rather than a `scope { }` closure: the distribution belongs to the
/// model's training, is visible where it is set, and leaves `compile`, `fit`, `evaluate` and
/// `predict` unchanged. Run without `mpirun`, the strategy is one process of size 1.
///
/// ```swift
/// let strategy = try MPIStrategy()
/// setRandomSeed(1)                         // the same seed on every rank: same shuffles
/// model.distribution = strategy
/// try model.fit(x, y, batchSize: 64, epochs: 5)   // mpirun -np 2: 32 samples per rank per step
/// if strategy.isChief { try model.save(to: "model.keras") }
/// ```
///
/// An error thrown on one rank during `fit` calls `MPI_Abort`, which makes `mpirun` end every
/// rank (with a non-zero status) instead of leaving them waiting in a collective; a rank that
/// dies makes `mpirun` end the others the same way.
public final class MPIStrategy: TrainingDistribution, @unchecked Sendable {
    /// This process's rank, 0 to `worldSize - 1`.
    public let rank: Int
    /// The number of processes in the job.
    public let worldSize: Int
    /// Seconds spent in MPI collectives since creation (or the last ``resetCommunicationTime()``).
    public var communicationTime: Double { lock.withLock { seconds } }

    private let lock = NSLock()
    private var seconds = 0.0

    /// Initializes MPI once per process (MPI cannot be initialized twice; later strategies share it).
    ///
    /// ```swift
    /// let strategy = try MPIStrategy()
    /// print("rank \(strategy.rank) of \(strategy.worldSize)")
    /// ```
    public init() throws {
        try MPIRuntime.start()
        var r: Int32 = 0, n: Int32 = 0
        try MPIRuntime.check(MPI_Comm_rank(cmpi_comm_world(), &r), "MPI_Comm_rank")
        try MPIRuntime.check(MPI_Comm_size(cmpi_comm_world(), &n), "MPI_Comm_size")
        rank = Int(r)
        worldSize = Int(n)
    }

    /// Sets ``communicationTime`` back to zero.
    public func resetCommunicationTime() { lock.withLock { seconds = 0 } }

    /// Replaces `buffer` on every rank with rank 0's (`MPI_Bcast`).
    public func broadcast(_ buffer: inout [Double]) throws {
        try timed("MPI_Bcast") { buffer.withUnsafeMutableBufferPointer {
            MPI_Bcast($0.baseAddress, Int32($0.count), cmpi_double(), 0, cmpi_comm_world())
        } }
    }

    /// Replaces `buffer` on every rank with the element-wise sum over all ranks (`MPI_Allreduce`).
    public func allReduceSum(_ buffer: inout [Float]) throws {
        try timed("MPI_Allreduce") { buffer.withUnsafeMutableBufferPointer {
            MPI_Allreduce(cmpi_in_place(), $0.baseAddress, Int32($0.count), cmpi_float(), cmpi_sum(), cmpi_comm_world())
        } }
    }

    /// Replaces `buffer` on every rank with the element-wise sum over all ranks (`MPI_Allreduce`).
    public func allReduceSum(_ buffer: inout [Double]) throws {
        try timed("MPI_Allreduce") { buffer.withUnsafeMutableBufferPointer {
            MPI_Allreduce(cmpi_in_place(), $0.baseAddress, Int32($0.count), cmpi_double(), cmpi_sum(), cmpi_comm_world())
        } }
    }

    /// Every rank's `values` (counts may differ), in rank order, on every rank (`MPI_Allgather` of the
    /// counts, then `MPI_Allgatherv`).
    ///
    /// - Throws: `KerasError.invalidArgument` when the values of all ranks together exceed MPI's 32-bit counts.
    public func allGather(_ values: [Double]) throws -> [[Double]] {
        var counts = [Int64](repeating: 0, count: worldSize)
        var mine = Int64(values.count)
        try timed("MPI_Allgather") { MPI_Allgather(&mine, 1, cmpi_int64(), &counts, 1, cmpi_int64(), cmpi_comm_world()) }
        guard counts.allSatisfy({ $0 <= Int64(Int32.max) }), counts.reduce(0, +) <= Int64(Int32.max) else {
            throw KerasError.invalidArgument("MPIStrategy.allGather: \(counts.reduce(0, +)) values in all exceed MPI's 32-bit counts; gather in parts")
        }
        let sizes = counts.map { Int32($0) }
        var offsets = [Int32](repeating: 0, count: worldSize)
        for r in 1..<Swift.max(worldSize, 1) { offsets[r] = offsets[r - 1] + sizes[r - 1] }
        var all = [Double](repeating: 0, count: Int(counts.reduce(0, +)))
        try timed("MPI_Allgatherv") {
            values.withUnsafeBufferPointer { send in
                all.withUnsafeMutableBufferPointer { receive in
                    MPI_Allgatherv(send.baseAddress, Int32(send.count), cmpi_double(), receive.baseAddress, sizes, offsets,
                                   cmpi_double(), cmpi_comm_world())
                }
            }
        }
        return (0..<worldSize).map { Array(all[Int(offsets[$0])..<Int(offsets[$0] + sizes[$0])]) }
    }

    /// Starts summing `values` elementwise across ranks without waiting (`MPI_Iallreduce`);
    /// ``PendingAllReduce/wait()`` returns the sums. Every rank starts the same sums in the same
    /// order. (Open MPI's shared-memory transport moves the data only inside MPI calls:
    /// ``PendingAllReduce/poll()`` lets it progress while the caller computes.)
    ///
    /// ```swift
    /// let pending = try strategy.startAllReduceSum(bucket)
    /// computeSomethingElse()
    /// let sums = try pending.wait()
    /// ```
    public func startAllReduceSum(_ values: [Float]) throws -> PendingAllReduce {
        let pending = PendingAllReduce(values, strategy: self)
        try timed("MPI_Iallreduce") {
            MPI_Iallreduce(cmpi_in_place(), pending.buffer.baseAddress, Int32(values.count), cmpi_float(), cmpi_sum(),
                           cmpi_comm_world(), &pending.request)
        }
        return pending
    }

    /// Waits until every rank gets here.
    ///
    /// ```swift
    /// try strategy.barrier()
    /// ```
    public func barrier() throws {
        try timed("MPI_Barrier") { MPI_Barrier(cmpi_comm_world()) }
    }

    /// Prints `error` and ends every rank of the job (`MPI_Abort`).
    public func abort(_ error: any Error) -> Never {
        FileHandle.standardError.write(Data("rank \(rank) of \(worldSize): \(error); aborting the MPI job\n".utf8))
        MPI_Abort(cmpi_comm_world(), 1)
        exit(1)
    }

    fileprivate func timed(_ call: String, _ body: () -> Int32) throws {
        let start = DispatchTime.now().uptimeNanoseconds
        let code = body()
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        lock.withLock { seconds += elapsed }
        try MPIRuntime.check(code, call)
    }
}

/// A sum across ranks in flight (``MPIStrategy/startAllReduceSum(_:)``).
public final class PendingAllReduce: @unchecked Sendable {
    fileprivate let buffer: UnsafeMutableBufferPointer<Float>
    fileprivate var request: MPI_Request? = nil
    private let strategy: MPIStrategy
    private var done = false

    fileprivate init(_ values: [Float], strategy: MPIStrategy) {
        buffer = .allocate(capacity: values.count)
        _ = buffer.initialize(from: values)
        self.strategy = strategy
    }

    /// Lets MPI move the data along (`MPI_Test`); returns whether the sum is complete.
    ///
    /// ```swift
    /// while try !pending.poll() { computeALittle() }
    /// ```
    @discardableResult
    public func poll() throws -> Bool {
        guard !done else { return true }
        var flag: Int32 = 0
        try strategy.timed("MPI_Test") { MPI_Test(&request, &flag, cmpi_status_ignore()) }
        done = flag != 0
        return done
    }

    /// Waits for the sum (`MPI_Wait`) and returns it.
    ///
    /// ```swift
    /// let sums = try pending.wait()
    /// ```
    public func wait() throws -> [Float] {
        if !done { try strategy.timed("MPI_Wait") { MPI_Wait(&request, cmpi_status_ignore()) } }
        done = true
        return Array(buffer)
    }

    deinit {
        // MPI may still write into the buffer until the request completes.
        if !done { MPI_Wait(&request, cmpi_status_ignore()) }
        buffer.deallocate()
    }
}

/// The process-wide MPI state: initialized on first use, finalized at exit.
enum MPIRuntime {
    private static let started: Result<Void, KerasError> = {
        var already: Int32 = 0
        MPI_Initialized(&already)
        if already == 0 {
            var provided: Int32 = 0
            let code = MPI_Init_thread(nil, nil, cmpi_thread_funneled(), &provided)
            guard code == cmpi_success() else { return .failure(.invalidArgument("MPIStrategy: MPI_Init_thread failed with code \(code)")) }
            atexit { var done: Int32 = 0; MPI_Finalized(&done); if done == 0 { MPI_Finalize() } }
        }
        cmpi_errors_return()
        return .success(())
    }()

    static func start() throws { try started.get() }

    static func check(_ code: Int32, _ call: String) throws {
        guard code != cmpi_success() else { return }
        var text = [CChar](repeating: 0, count: Int(MPI_MAX_ERROR_STRING) + 1)
        var length: Int32 = 0
        MPI_Error_string(code, &text, &length)
        let message = String(decoding: text.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        throw KerasError.invalidArgument("MPIStrategy: \(call) failed: \(message)")
    }
}
