import Foundation
import Logging
import OrchestratorDatabase
import TaskExecution
import Workflow

extension Scheduler {
    /// Claims tries queued for this server's own slots, like any worker (queued → running, with a
    /// lease), and starts them.
    func claimLocalWork(running runs: [DagRun]) async throws {
        let free = configuration.parallelism - usedSlots
        guard free > 0, localWorkWaiting, !configuration.localQueues.isEmpty else { return }
        let claimed = try await store.claimTries(
            worker: configuration.workerName,
            hostname: store.hostname,
            queues: configuration.localQueues,
            limit: free
        )
        // Fewer than asked: nothing more waits until the next pass queues some.
        if claimed.count < free { localWorkWaiting = false }
        let byKey = Dictionary(runs.map { (OrchestratorStore.runKey(dagID: $0.dagID, runID: $0.runID), $0) }, uniquingKeysWith: { first, _ in first })
        for instance in claimed {
            let runKey = OrchestratorStore.runKey(dagID: instance.dagID, runID: instance.runID)
            known[runKey]?[instance.taskID] = instance
            guard let run = byKey[runKey], let dag = dags[instance.dagID] else {
                // Its run or DAG went away meanwhile: the try ends at once.
                _ = try? await store.endTries([.init(instance: instance, state: .failed, message: "its run or DAG is gone")])
                stale.insert(runKey)
                continue
            }
            usedSlots += 1
            let signal = StopSignal()
            inFlight[Self.key(instance)] = (signal, true)
            launches.append((instance, run, dag, signal))
        }
    }

    /// Once a second at most: keeps this server's own worker alive, and fails or retries the tries
    /// of workers silent for longer than ``Configuration/workerTimeout`` (retries wait their
    /// `retry_delay`; each try's log says why).
    func checkWorkers(now: Date) async throws {
        guard now.timeIntervalSince(workersCheckedAt) >= 1 else { return }
        workersCheckedAt = now
        let cutoff = now.addingTimeInterval(-configuration.workerTimeout.seconds)
        for worker in try await store.silentWorkers(since: cutoff) where worker.name != configuration.workerName {
            let silence = DurationText.format(.seconds(Int64(now.timeIntervalSince(worker.lastHeartbeat).rounded())))
            let reason =
                "the try was lost: worker '\(worker.name)' sent no heartbeat for \(silence) (timeout \(DurationText.format(configuration.workerTimeout)))"
            try await endLostTries(try await store.heldTries(worker: worker.name), reason: reason)
            try await store.markWorker(worker.name, as: .offline)
            logger.warning("Worker \(worker.name) is offline: no heartbeat since \(DateText.format(worker.lastHeartbeat))")
        }
    }

    /// Keeps this server's own worker row alive, on every server: renewed when its state (idle or
    /// running) changed, else every quarter of the worker timeout (a write, and on SQLite an
    /// fsync, every rescan kept an idle server busy).
    func heartbeatLocalExecutor() async {
        let running = usedSlots > 0
        let now = ContinuousClock.now
        if let last = localHeartbeat, last.running == running, now - last.at < configuration.workerTimeout / 4 { return }
        do {
            _ = try await store.heartbeat(worker: configuration.workerName, state: running ? .running : .idle)
            localHeartbeat = (now, running)
        } catch {
            logger.warning("Cannot record the local executor's heartbeat: \(error)")
        }
    }

    /// Tries that a worker reported ended, as the store recorded them (`nil`: moved meanwhile).
    /// The scheduling server knows them now and passes at once; another one tells it (NOTIFY),
    /// and it reads their runs again.
    func triesEnded(_ ended: [(instance: TaskInstance, recorded: TaskInstance?)]) async {
        for (instance, recorded) in ended {
            if let recorded {
                remember(recorded)
            } else {
                stale.insert(OrchestratorStore.runKey(dagID: instance.dagID, runID: instance.runID))
            }
        }
        await announceChange()
        await archiveLogs(of: ended.map(\.instance))
    }

    /// Archives the logs of ended tries when servers share no logs folder (``OrchestratorFolders/logArchive``).
    nonisolated func archiveLogs(of instances: [TaskInstance]) async {
        let folders = configuration.folders
        guard folders.logArchive != nil else { return }
        for instance in instances {
            do {
                try await folders.archiveLog(folders.log(of: instance))
            } catch {
                logger.warning(
                    "Cannot archive the log of try \(instance.tryNumber) of \(instance.taskID) in \(instance.dagID)/\(instance.runID): \(error)"
                )
            }
        }
    }

    /// Ends tries whose worker was lost: each is retried after its delay while tries remain, else
    /// failed, and its log says why.
    func endLostTries(_ instances: [TaskInstance], reason: String) async throws {
        guard !instances.isEmpty else { return }
        var endings: [OrchestratorStore.TryEnding] = []
        for instance in instances {
            let task = dags[instance.dagID]?.task(instance.taskID)
            let (ending, lines) = OrchestratorStore.TryEnding.failure(reason, retryable: true, of: instance, task: task)
            endings.append(ending)
            if let log = try? TaskLog(url: configuration.folders.log(of: instance), echo: nil) {
                for line in lines { log.write(line.text, level: line.level) }
            }
            logger.warning("Task \(instance.taskID) of \(instance.dagID)/\(instance.runID): \(reason)")
        }
        let recorded = try await store.endTries(endings)
        await triesEnded(Array(zip(instances, recorded)))
    }
}
