package dev.crossgate.certsource;

/** A configuration value that cannot work. The message names the property and its environment variable. */
public final class SettingException extends Exception {

    public SettingException(String message) {
        super(message);
    }
}
