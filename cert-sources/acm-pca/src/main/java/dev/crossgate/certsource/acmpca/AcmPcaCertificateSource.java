package dev.crossgate.certsource.acmpca;

import java.time.Clock;

import dev.crossgate.certsource.MaterialStreamSource;
import dev.crossgate.tls.MaterialValidator;

/** Certificates issued by AWS ACM Private CA for a key generated in this process, renewed before they expire. */
public final class AcmPcaCertificateSource extends MaterialStreamSource {

    public static final String TYPE = "acm-pca";

    private final PrivateCaClient client;
    private final AcmPcaRenewalLoop loop;

    AcmPcaCertificateSource(AcmPcaSourceSpec spec, PrivateCaClient client, MaterialValidator validator, Clock clock) {
        super(spec.name(), TYPE, clock);
        this.client = client;
        this.loop = new AcmPcaRenewalLoop(spec, new AcmPcaIssuer(spec, client, validator, clock), stream, clock);
    }

    /** Returns at once: the first certificate arrives when ACM Private CA has issued it; until then, users of it are not ready. */
    @Override
    protected void begin() {
        loop.start();
    }

    @Override
    protected void end() {
        loop.stop();
        client.close();
    }
}
