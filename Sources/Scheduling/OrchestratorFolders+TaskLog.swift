import Foundation
import TaskExecution
import Workflow

extension OrchestratorFolders {
    /// The log of the current try of `instance`, where the server keeps it.
    func log(of instance: TaskInstance) -> URL {
        TaskLog.url(logsFolder: logs, dagID: instance.dagID, runID: instance.runID, taskID: instance.taskID, tryNumber: instance.tryNumber)
    }
}
