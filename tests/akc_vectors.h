/*
 * akc_vectors.h -- golden vectors for the sshd helper's unit tests: OpenSSH
 * keys and certificates made once with OpenSSH 9.2's ssh-keygen (their
 * validity does not depend on the date of the test run), as base64 blobs.
 */
#ifndef DANCE_TEST_AKC_VECTORS_H
#define DANCE_TEST_AKC_VECTORS_H

/* Not every test uses every vector. */
#define AKC_VECTOR __attribute__((unused))

/* ssh-keygen -s ca -I alice-id -n alice@good.test,alice
 *            -V 20200101:20991231 user.pub (ed25519 key, ed25519 CA) */
static const char ED_CERT[] AKC_VECTOR =
        "AAAAIHNzaC1lZDI1NTE5LWNlcnQtdjAxQG9wZW5zc2guY29tAAAAIDC1z95xn0wp"
        "snP9PevxsqjQOJdWP9/pj9K9Ewnb/+4AAAAAIHKYLv6d6CggJxfxsEz7JGsk6SKw"
        "Ikjv3IolSzqKNz2RAAAAAAAAAAAAAAABAAAACGFsaWNlLWlkAAAAHAAAAA9hbGlj"
        "ZUBnb29kLnRlc3QAAAAFYWxpY2UAAAAAXgvhAAAAAAD0hQWAAAAAAAAAAIIAAAAV"
        "cGVybWl0LVgxMS1mb3J3YXJkaW5nAAAAAAAAABdwZXJtaXQtYWdlbnQtZm9yd2Fy"
        "ZGluZwAAAAAAAAAWcGVybWl0LXBvcnQtZm9yd2FyZGluZwAAAAAAAAAKcGVybWl0"
        "LXB0eQAAAAAAAAAOcGVybWl0LXVzZXItcmMAAAAAAAAAAAAAADMAAAALc3NoLWVk"
        "MjU1MTkAAAAgCBPIf4qxgy7pbVd8QoF/HaGyr4ajOK16vnH1OE1mgToAAABTAAAA"
        "C3NzaC1lZDI1NTE5AAAAQD+vcyulb6MitbUl0LPu/Y8CJL0S1jOp7MPUrnIGBV/A"
        "zb2hZ1cKO2b98+p8cB9+ShQvoxkv0W1Bgolrd+TvSA4=";
/* the certified key (user.pub) and the CA key (ca.pub) */
static const char ED_KEY[] AKC_VECTOR =
        "AAAAC3NzaC1lZDI1NTE5AAAAIHKYLv6d6CggJxfxsEz7JGsk6SKwIkjv3IolSzqK"
        "Nz2R";
static const char ED_CA[] AKC_VECTOR =
        "AAAAC3NzaC1lZDI1NTE5AAAAIAgTyH+KsYMu6W1XfEKBfx2hsq+Goziter5x9ThN"
        "ZoE6";
/* ssh-keygen -s rsaca -I ec-id -n bob@good.test ecuser.pub (ecdsa-p256
 * key, rsa-3072 CA, valid forever) */
static const char ECDSA_CERT[] AKC_VECTOR =
        "AAAAKGVjZHNhLXNoYTItbmlzdHAyNTYtY2VydC12MDFAb3BlbnNzaC5jb20AAAAg"
        "cP4cT+w0uJpPGXLYTAlessFtpshXxqHwohPM7rFKgMMAAAAIbmlzdHAyNTYAAABB"
        "BPk8c8K6igBRYaV7NRa/OABxc9DBAIFBDeB0gTOIVfI/nZUvPvk28KSdM5spsOJS"
        "HBQXZ3T+3M+abHseb0L4UdQAAAAAAAAAAAAAAAEAAAAFZWMtaWQAAAARAAAADWJv"
        "YkBnb29kLnRlc3QAAAAAAAAAAP//////////AAAAAAAAAIIAAAAVcGVybWl0LVgx"
        "MS1mb3J3YXJkaW5nAAAAAAAAABdwZXJtaXQtYWdlbnQtZm9yd2FyZGluZwAAAAAA"
        "AAAWcGVybWl0LXBvcnQtZm9yd2FyZGluZwAAAAAAAAAKcGVybWl0LXB0eQAAAAAA"
        "AAAOcGVybWl0LXVzZXItcmMAAAAAAAAAAAAAAZcAAAAHc3NoLXJzYQAAAAMBAAEA"
        "AAGBAILxbSnGP9kvLSzXxDBOhqWx9OTQRtZLnYh1jaSBXjQHlrTgUQ27KK0ijimG"
        "I5G0NxxFq3VH78h1vOJf1mTGMyN786pad2yPt3zBhSkNWMrSXNfBMRYzCdjg0Jgv"
        "oByZbztgYar9IsncIjyC6YvK7ay1L+3bWIJJhxrIiOgkyDhUpscdIvtMNNykVjz6"
        "U7uQd4coLjApS8bsfrfYC6biFQaFpTZxiVBNTCBV1se5QUdAA7wWDrPtlDq7gx55"
        "bXr3c/CiO7uy+P/pQfZExMtg5KPcY7n/Vfp7FvHzwrdVEc4KFHrYk+a9NrGpAOjz"
        "2McCkbUbNp7D9djQZ9RbucQ6WnrUaEDdtSsKI4DSxmx/egZ06yONULDum7dBvMPh"
        "tLvtmPTKkN8H2Bn/mKYU7fcux3Pgnwy5EqKDhLLrSVzfWhAfw6WvacNmwW4l4jY7"
        "FFndklPw7KTgZ4xUtklRLJjv5LbfVNz6/EvZzgBVcRkAf8+1WyXmWYSucqCxgL+a"
        "NiyDSwAAAZQAAAAMcnNhLXNoYTItNTEyAAABgE0Mp/qL04vAi0ZygnICUU+DWHKU"
        "hRJ6h76G4F1wTgEauIOmTGiCH/gjaNb3uItaz0kQhXO3BcGCrEQSJ+SLc2PaMWz4"
        "4yNDv2xqUWekuiTYHoiKTmyE29Ibj65IHr9hOFR3nAfrgeQSG4/IfgboVVRB8FPF"
        "/YBFtHre5BTsDmtK1CSS9ciGHh0sbKM2Ex9mt+23egHzTuLG7jbqm73oIvBEXjLz"
        "pQT68ce1Ay32bOzY8PrHtwMY54zS2vnuGKcWedH64WS2USsfO83OOdgsQV3hij0A"
        "J7qhjCBo43er1BIK9XixK3/WK/tHBzxs6CUrkKA742NhZ+nHrCyYCtGxLOJowZzT"
        "bNiqDoEitTA2o5s8B2UoIqNO89bO5FY9jpEFsmhp/fT4p16bQJC5UxkF3KYP5QQW"
        "vHoegpqpqU8ecM3GfgnKI8ottwWo30sZnAY3RRIcEJKYbRqNDlGv0BMGYQy9bSa2"
        "xYRAGfezlHbLLdO8ERhdHOj7/BqYL9nUEwZiWQ==";
static const char ECDSA_KEY[] AKC_VECTOR =
        "AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBPk8c8K6igBR"
        "YaV7NRa/OABxc9DBAIFBDeB0gTOIVfI/nZUvPvk28KSdM5spsOJSHBQXZ3T+3M+a"
        "bHseb0L4UdQ=";
static const char RSA_CA[] AKC_VECTOR =
        "AAAAB3NzaC1yc2EAAAADAQABAAABgQCC8W0pxj/ZLy0s18QwToalsfTk0EbWS52I"
        "dY2kgV40B5a04FENuyitIo4phiORtDccRat1R+/IdbziX9ZkxjMje/OqWndsj7d8"
        "wYUpDVjK0lzXwTEWMwnY4NCYL6AcmW87YGGq/SLJ3CI8gumLyu2stS/t21iCSYca"
        "yIjoJMg4VKbHHSL7TDTcpFY8+lO7kHeHKC4wKUvG7H632Aum4hUGhaU2cYlQTUwg"
        "VdbHuUFHQAO8Fg6z7ZQ6u4MeeW1693Pwoju7svj/6UH2RMTLYOSj3GO5/1X6exbx"
        "88K3VRHOChR62JPmvTaxqQDo89jHApG1Gzaew/XY0GfUW7nEOlp61GhA3bUrCiOA"
        "0sZsf3oGdOsjjVCw7pu3QbzD4bS77Zj0ypDfB9gZ/5imFO33Lsdz4J8MuRKig4Sy"
        "60lc31oQH8Olr2nDZsFuJeI2OxRZ3ZJT8Oyk4GeMVLZJUSyY7+S231Tc+vxL2c4A"
        "VXEZAH/PtVsl5lmErnKgsYC/mjYsg0s=";
/* ssh-keygen -s ca -h -I host-id -n host.good.test rsauser.pub (a host
 * certificate of an rsa-2048 key) */
static const char RSA_HOST_CERT[] AKC_VECTOR =
        "AAAAHHNzaC1yc2EtY2VydC12MDFAb3BlbnNzaC5jb20AAAAgONGmyj7Uf1D6ogI7"
        "JJXwXXlzksF2zfRTIt0So2g+FWkAAAADAQABAAABAQCmWxTcIW4trof0XMmJTjkp"
        "lWah7S0ijN+JAw5IpIkx2VE+bL4Fohug227MDMuQCCb+Lp1TrvhU4xzShC8FFNwX"
        "I8wNrxdvPY9WmYkyGAxoZn18sIczIZNwTBVR8OpBuQAfVlv5FeezJSSyh5XsAua+"
        "1UOMhlMeIdL6MUd3pbs3jsz2uhMXBUhEsOwiqb2filDIy9D8htHtzlsVqpSzPGwa"
        "ZMzR6/pG2ImHsQYLOWgLnE1TSwJ21OHWmnyyPLKfQHuYGnx+idaoADk3wOAkSO2I"
        "F2OMDE0NTBhR01JNBwxJLROEvFipWZi14wQtOcd137lR703+FTkodL3d121cKzF1"
        "AAAAAAAAAAAAAAACAAAAB2hvc3QtaWQAAAASAAAADmhvc3QuZ29vZC50ZXN0AAAA"
        "AAAAAAD//////////wAAAAAAAAAAAAAAAAAAADMAAAALc3NoLWVkMjU1MTkAAAAg"
        "CBPIf4qxgy7pbVd8QoF/HaGyr4ajOK16vnH1OE1mgToAAABTAAAAC3NzaC1lZDI1"
        "NTE5AAAAQGFa4WzWou/4PDbSowjUygJ0ElCoCO7TB5QtYYx7vSPkZ6t9U2xsQzjm"
        "aBkhTD4BxbxnCSpN2HwcJM5bV1NrRwA=";

#define ED_CERT_TYPE    "ssh-ed25519-cert-v01@openssh.com"
#define ECDSA_CERT_TYPE "ecdsa-sha2-nistp256-cert-v01@openssh.com"
#define RSA_CERT_TYPE   "ssh-rsa-cert-v01@openssh.com"

#endif /* DANCE_TEST_AKC_VECTORS_H */
