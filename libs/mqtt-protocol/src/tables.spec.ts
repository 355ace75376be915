import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { PacketType } from './packet-type';
import { PROPERTY_DEFINITIONS, PropertyId, WILL_PROPERTIES, isPropertyAllowed } from './property';
import { ReasonCode, isReasonCodeAllowed, packetsForReasonCode, reasonCodeName, toConnectReturnCode } from './reason-code';

describe('reason codes (§2.4)', () => {
  it('names every code as the specification does', () => {
    assert.equal(reasonCodeName(ReasonCode.NotAuthorized), 'Not authorized');
    assert.equal(reasonCodeName(ReasonCode.PacketTooLarge), 'Packet too large');
    assert.equal(reasonCodeName(ReasonCode.WildcardSubscriptionsNotSupported), 'Wildcard Subscriptions not supported');
    const codes = Object.values(ReasonCode).filter((v): v is number => typeof v === 'number');
    assert.equal(codes.length, 43);
    for (const code of codes) assert.doesNotMatch(reasonCodeName(code), /^Unknown/);
  });

  it('knows which packets may carry each code', () => {
    assert.deepEqual(packetsForReasonCode(0x92), [PacketType.Pubrel, PacketType.Pubcomp]);
    assert.deepEqual(packetsForReasonCode(0x11), [PacketType.Unsuback]);
    assert.equal(isReasonCodeAllowed(PacketType.Disconnect, ReasonCode.SessionTakenOver), true);
    assert.equal(isReasonCodeAllowed(PacketType.Connack, ReasonCode.SessionTakenOver), false);
    assert.equal(isReasonCodeAllowed(PacketType.Suback, ReasonCode.GrantedQoS2), true);
    assert.equal(isReasonCodeAllowed(PacketType.Puback, ReasonCode.GrantedQoS2), false);
    assert.equal(isReasonCodeAllowed(PacketType.Auth, ReasonCode.ContinueAuthentication), true);
    assert.equal(isReasonCodeAllowed(PacketType.Puback, 0x03), false);
    assert.equal(isReasonCodeAllowed(PacketType.Puback, 0x1ff), false);
    for (const code of [0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99]) {
      assert.equal(isReasonCodeAllowed(PacketType.Puback, code), true, code.toString(16));
      assert.equal(isReasonCodeAllowed(PacketType.Pubrec, code), true, code.toString(16));
    }
  });

  it('maps CONNACK decisions onto 3.1.1 return codes', () => {
    assert.equal(toConnectReturnCode(ReasonCode.Success), 0);
    assert.equal(toConnectReturnCode(ReasonCode.UnsupportedProtocolVersion), 1);
    assert.equal(toConnectReturnCode(ReasonCode.ClientIdentifierNotValid), 2);
    assert.equal(toConnectReturnCode(ReasonCode.ServerUnavailable), 3);
    assert.equal(toConnectReturnCode(ReasonCode.BadUserNameOrPassword), 4);
    assert.equal(toConnectReturnCode(ReasonCode.NotAuthorized), 5);
  });
});

describe('properties (§2.2.2.2)', () => {
  it('defines all 27 properties once each', () => {
    assert.equal(PROPERTY_DEFINITIONS.length, 27);
    assert.equal(new Set(PROPERTY_DEFINITIONS.map((d) => d.id)).size, 27);
    assert.equal(new Set(PROPERTY_DEFINITIONS.map((d) => d.key)).size, 27);
  });

  it('allows each property only where Table 2-4 does', () => {
    assert.equal(isPropertyAllowed(PropertyId.WillDelayInterval, WILL_PROPERTIES), true);
    assert.equal(isPropertyAllowed(PropertyId.WillDelayInterval, PacketType.Connect), false);
    assert.equal(isPropertyAllowed(PropertyId.TopicAlias, PacketType.Publish), true);
    assert.equal(isPropertyAllowed(PropertyId.TopicAlias, WILL_PROPERTIES), false);
    assert.equal(isPropertyAllowed(PropertyId.SubscriptionIdentifier, PacketType.Subscribe), true);
    assert.equal(isPropertyAllowed(PropertyId.ReasonString, PacketType.Publish), false);
    assert.equal(isPropertyAllowed(PropertyId.ServerReference, PacketType.Disconnect), true);
    assert.equal(isPropertyAllowed(PropertyId.SessionExpiryInterval, PacketType.Disconnect), true);
    assert.equal(isPropertyAllowed(PropertyId.MaximumQoS, PacketType.Connect), false);
    for (const type of [PacketType.Pingreq, PacketType.Pingresp]) {
      for (const def of PROPERTY_DEFINITIONS) assert.equal(isPropertyAllowed(def.id, type), false);
    }
  });
});
