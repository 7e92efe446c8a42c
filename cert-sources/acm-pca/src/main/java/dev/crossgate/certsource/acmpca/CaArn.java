package dev.crossgate.certsource.acmpca;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The ARN of a private CA, {@code arn:<partition>:acm-pca:<region>:<account>:certificate-authority/<id>}, taken apart. */
record CaArn(String text, String partition, String region, String account, String id) {

    private static final Pattern FORM = Pattern.compile("arn:(aws[a-z-]*):acm-pca:([a-z0-9-]+):(\\d{12}):certificate-authority/([A-Za-z0-9-]+)");

    static CaArn parse(String text) {
        Matcher matcher = FORM.matcher(text.trim());
        if (!matcher.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not the ARN of a private CA; it looks like "
                    + "arn:aws:acm-pca:eu-west-1:123456789012:certificate-authority/11111111-2222-3333-4444-555555555555");
        }
        return new CaArn(matcher.group(0), matcher.group(1), matcher.group(2), matcher.group(3), matcher.group(4));
    }

    /** The AWS-managed template of this partition, e.g. {@code arn:aws:acm-pca:::template/EndEntityCertificate/V1}. */
    String template(String name) {
        return "arn:" + partition + ":acm-pca:::template/" + name;
    }

    @Override
    public String toString() {
        return text;
    }
}
