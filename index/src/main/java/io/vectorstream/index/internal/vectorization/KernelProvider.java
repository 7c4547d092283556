package io.vectorstream.index.internal.vectorization;

import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks the kernel implementation once, at class load, and logs which. The system property
 * {@value #PROPERTY} forces {@code scalar} or {@code panama}; an unknown value, or {@code panama} when the
 * module is missing, is an error. Without the property, Panama is used when {@code jdk.incubator.vector}
 * is in the boot layer and scalar otherwise. Thread-safe: the choice is made once, in the class initialiser.
 */
public final class KernelProvider {

    /** System property that forces an implementation: {@code scalar} or {@code panama}. */
    public static final String PROPERTY = "vectorstream.vectorization";

    private static final Logger LOG = LoggerFactory.getLogger(KernelProvider.class);
    private static final VectorKernels KERNELS = select(System.getProperty(PROPERTY));

    private KernelProvider() {}

    /** The kernels chosen for this JVM. */
    public static VectorKernels kernels() {
        return KERNELS;
    }

    static VectorKernels select(String forced) {
        boolean moduleLoaded = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
        VectorKernels chosen;
        if (forced == null || forced.isBlank()) {
            chosen = moduleLoaded ? tryPanama() : null;
            if (chosen == null) {
                chosen = new ScalarKernels();
            }
        } else {
            switch (forced.trim().toLowerCase(Locale.ROOT)) {
                case "scalar":
                    chosen = new ScalarKernels();
                    break;
                case "panama":
                    if (!moduleLoaded) {
                        throw new IllegalStateException(PROPERTY + "=panama needs the JVM flag "
                                + "--add-modules jdk.incubator.vector");
                    }
                    chosen = tryPanama();
                    if (chosen == null) {
                        throw new IllegalStateException(PROPERTY + "=panama but the Panama kernels failed to load");
                    }
                    break;
                default:
                    throw new IllegalArgumentException(
                            PROPERTY + " must be one of [scalar, panama]; " + PROPERTY + "=" + forced);
            }
        }
        LOG.info("VectorStream distance kernels: {} (jdk.incubator.vector {})",
                chosen.name(), moduleLoaded ? "present" : "absent");
        return chosen;
    }

    private static VectorKernels tryPanama() {
        try {
            Class<?> c = Class.forName(KernelProvider.class.getPackageName() + ".PanamaKernels");
            return (VectorKernels) c.getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError | UnsupportedOperationException e) {
            LOG.warn("Panama kernels unavailable, using scalar: {}", e.toString());
            return null;
        }
    }
}
