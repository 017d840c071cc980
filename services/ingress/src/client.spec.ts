import { clientAddress, clientKey, trustList } from "./client";

describe("trustList", () => {
  it("reads names, addresses and CIDR ranges of both families", () => {
    const list = trustList(["loopback", "uniquelocal", "203.0.113.7", "2001:db8::/32"]);
    for (const ip of ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.9.9", "203.0.113.7"]) expect([ip, list.check(ip, "ipv4")]).toEqual([ip, true]);
    for (const ip of ["::1", "fd00::1", "2001:db8:1::1"]) expect([ip, list.check(ip, "ipv6")]).toEqual([ip, true]);
    for (const ip of ["8.8.8.8", "203.0.113.8", "169.254.1.1"]) expect([ip, list.check(ip, "ipv4")]).toEqual([ip, false]);
    expect(trustList(["linklocal"]).check("169.254.1.1", "ipv4")).toBe(true);
    expect(trustList([]).check("127.0.0.1", "ipv4")).toBe(false);
  });

  it("refuses anything else", () => {
    for (const bad of ["localhost", "10.0.0.0/33", "10.0.0.0/8/1", "::1/129", "10.0.0.0/x", "1.2.3"]) expect(() => trustList([bad])).toThrow(/not an address/);
  });
});

describe("clientAddress", () => {
  const proxies = trustList(["loopback", "10.0.0.0/8"]);

  it("is the socket's peer without X-Forwarded-For, or when the peer is not trusted", () => {
    expect(clientAddress("198.51.100.1", undefined, proxies)).toBe("198.51.100.1");
    expect(clientAddress("198.51.100.1", "203.0.113.9", proxies)).toBe("198.51.100.1");
    expect(clientAddress("::ffff:198.51.100.1", undefined, proxies)).toBe("198.51.100.1");
  });

  it("follows X-Forwarded-For leftwards through trusted proxies only", () => {
    expect(clientAddress("127.0.0.1", "203.0.113.9", proxies)).toBe("203.0.113.9");
    expect(clientAddress("10.0.0.5", "203.0.113.9, 10.0.0.4", proxies)).toBe("203.0.113.9");
    // What the client wrote itself stands left of its own address and is never reached.
    expect(clientAddress("127.0.0.1", "1.1.1.1, 10.9.9.9, 203.0.113.9", proxies)).toBe("203.0.113.9");
    expect(clientAddress("127.0.0.1", "10.0.0.1, 10.0.0.2", proxies)).toBe("10.0.0.1");
    expect(clientAddress("127.0.0.1", "2001:db8::1", proxies)).toBe("2001:db8::1");
  });

  it("stops at an entry that is not an address", () => {
    expect(clientAddress("127.0.0.1", "203.0.113.9, junk", proxies)).toBe("127.0.0.1");
    expect(clientAddress(undefined, "203.0.113.9", proxies)).toBe("");
  });
});

describe("clientKey", () => {
  it("keeps IPv4 addresses as they are", () => {
    expect(clientKey("203.0.113.7")).toBe("203.0.113.7");
  });

  it("groups IPv6 addresses by /64, however they are written", () => {
    for (const ip of ["2001:db8:0:1::1", "2001:db8:0:1:ffff:ffff:ffff:ffff", "2001:0db8:0000:0001:0:0:0:2", "2001:DB8:0:1::a:b", "2001:db8:0:1::1%eth0"]) {
      expect([ip, clientKey(ip)]).toEqual([ip, "2001:db8:0:1::/64"]);
    }
    expect(clientKey("2001:db8::1:2:3:4:5")).toBe("2001:db8:0:1::/64");
    expect(clientKey("2001:db8:0:2::1")).toBe("2001:db8:0:2::/64");
    expect(clientKey("::1")).toBe("0:0:0:0::/64");
    expect(clientKey("64:ff9b::192.0.2.1")).toBe("64:ff9b:0:0::/64");
  });

  it("leaves anything else as it is", () => {
    expect(clientKey("")).toBe("");
    expect(clientKey("not-an-ip")).toBe("not-an-ip");
  });
});
