#!/usr/bin/perl
# Writes a GNU ld version script from an OpenSSL ordinals file (util/libcrypto.num, util/libssl.num): one version
# node per release that added symbols (OPENSSL_3.0.0, OPENSSL_3.2.0, ...), each inheriting the one before, so the
# shared libraries carry the symbol versions that programs linked against a packaged OpenSSL 3 ask for.
# Stands in for util/mkdef.pl, which the openssl-src crate leaves out (tools/openssl/build.sh copies it there): takes
# the arguments the build passes and reads only --ordinals.
use strict;
use warnings;
my $ordinals;
for (my $i = 0; $i < @ARGV; $i++) {
    $ordinals = $ARGV[$i + 1] if $ARGV[$i] eq '--ordinals';
}
die "usage: $0 ... --ordinals FILE ...\n" unless defined $ordinals;
open(my $in, '<', $ordinals) or die "$ordinals: $!\n";
my %symbols;
while (<$in>) {
    my ($name, undef, $version, $kind) = split /\s+/;
    next unless defined $kind && $kind =~ /^EXIST:/;
    push @{ $symbols{$version} }, $name;
}
close $in;
my @versions = sort { my @x = split /_/, $a; my @y = split /_/, $b; $x[0] <=> $y[0] || $x[1] <=> $y[1] || $x[2] <=> $y[2] } keys %symbols;
my $previous;
for my $index (0 .. $#versions) {
    my $version = $versions[$index];
    (my $dotted = $version) =~ tr/_/./;
    my $node = "OPENSSL_$dotted";
    print "$node {\n    global:\n";
    print "        $_;\n" for sort @{ $symbols{$version} };
    print "    local: *;\n" if $index == 0;
    print "}", (defined $previous ? " $previous" : ""), ";\n\n";
    $previous = $node;
}
