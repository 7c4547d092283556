package io.vectorstream.jobs;

import java.io.IOException;
import java.util.Optional;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * Finds the newest completed checkpoint under a checkpoint directory, in Flink's layout
 * {@code <dir>/<job id>/chk-<n>/_metadata}, on any file system Flink can read (local, S3, HDFS...). A checkpoint
 * counts as completed when its {@code _metadata} file exists and is not empty: Flink writes that file last.
 * Across job ids (each restart of {@code vectorstream run} is a new job) the newest metadata file wins. Stateless.
 */
final class LatestCheckpoint {
    private LatestCheckpoint() {}

    /** The path of the newest completed checkpoint's directory, if any. */
    static Optional<String> find(String checkpointDir) throws IOException {
        Path root = new Path(checkpointDir);
        FileSystem fs = root.getFileSystem();
        if (!fs.exists(root)) {
            return Optional.empty();
        }
        Path best = null;
        long bestTime = Long.MIN_VALUE;
        int bestNumber = -1;
        for (FileStatus job : list(fs, root)) {
            if (!job.isDir()) {
                continue;
            }
            for (FileStatus chk : list(fs, job.getPath())) {
                String name = chk.getPath().getName();
                if (!chk.isDir() || !name.startsWith("chk-")) {
                    continue;
                }
                int number;
                try {
                    number = Integer.parseInt(name.substring(4));
                } catch (NumberFormatException e) {
                    continue;
                }
                Path metadata = new Path(chk.getPath(), "_metadata");
                FileStatus m;
                try {
                    m = fs.getFileStatus(metadata);
                } catch (java.io.FileNotFoundException absentOrSubsumed) {
                    continue;
                }
                if (m.getLen() == 0) {
                    continue;
                }
                long time = m.getModificationTime();
                if (time > bestTime || (time == bestTime && number > bestNumber)) {
                    best = chk.getPath();
                    bestTime = time;
                    bestNumber = number;
                }
            }
        }
        return Optional.ofNullable(best).map(Path::toString);
    }

    /** A directory's entries; none when it vanished meanwhile (Flink deletes subsumed checkpoints). */
    private static FileStatus[] list(FileSystem fs, Path dir) throws IOException {
        try {
            FileStatus[] s = fs.listStatus(dir);
            return s == null ? new FileStatus[0] : s;
        } catch (java.io.FileNotFoundException gone) {
            return new FileStatus[0];
        }
    }
}
