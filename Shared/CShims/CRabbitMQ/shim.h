#ifndef PLATFORM_CRABBITMQ_SHIM_H
#define PLATFORM_CRABBITMQ_SHIM_H

#include <stdint.h>
#include <amqp.h>
#include <amqp_framing.h>
#include <amqp_tcp_socket.h>

/* Swift cannot call variadic C functions (amqp_login*) nor import the casted
 * method-id macros, so this header wraps them in small inline helpers. */

static const uint32_t platform_amqp_method_basic_ack = AMQP_BASIC_ACK_METHOD;
static const uint32_t platform_amqp_method_basic_nack = AMQP_BASIC_NACK_METHOD;
static const uint32_t platform_amqp_method_basic_return = AMQP_BASIC_RETURN_METHOD;
static const uint32_t platform_amqp_method_basic_cancel = AMQP_BASIC_CANCEL_METHOD;
static const uint32_t platform_amqp_method_channel_close = AMQP_CHANNEL_CLOSE_METHOD;
static const uint32_t platform_amqp_method_connection_close = AMQP_CONNECTION_CLOSE_METHOD;

static const uint16_t platform_amqp_flag_content_type = AMQP_BASIC_CONTENT_TYPE_FLAG;
static const uint16_t platform_amqp_flag_headers = AMQP_BASIC_HEADERS_FLAG;
static const uint16_t platform_amqp_flag_delivery_mode = AMQP_BASIC_DELIVERY_MODE_FLAG;
static const uint16_t platform_amqp_flag_correlation_id = AMQP_BASIC_CORRELATION_ID_FLAG;
static const uint16_t platform_amqp_flag_message_id = AMQP_BASIC_MESSAGE_ID_FLAG;
static const uint16_t platform_amqp_flag_timestamp = AMQP_BASIC_TIMESTAMP_FLAG;
static const uint16_t platform_amqp_flag_type = AMQP_BASIC_TYPE_FLAG;

/* Logs in with SASL PLAIN, announcing `connection_name` (shown by the management UI)
 * and the consumer_cancel_notify capability (the broker then tells a consumer whose
 * queue disappeared instead of going silent). All strings are only borrowed. */
static inline amqp_rpc_reply_t platform_amqp_login(amqp_connection_state_t state, const char *vhost,
                                                   int frame_max, int heartbeat, const char *user,
                                                   const char *password, const char *connection_name) {
    amqp_table_entry_t capability_entries[1];
    capability_entries[0].key = amqp_cstring_bytes("consumer_cancel_notify");
    capability_entries[0].value.kind = AMQP_FIELD_KIND_BOOLEAN;
    capability_entries[0].value.value.boolean = 1;

    amqp_table_entry_t entries[2];
    entries[0].key = amqp_cstring_bytes("connection_name");
    entries[0].value.kind = AMQP_FIELD_KIND_UTF8;
    entries[0].value.value.bytes = amqp_cstring_bytes(connection_name);
    entries[1].key = amqp_cstring_bytes("capabilities");
    entries[1].value.kind = AMQP_FIELD_KIND_TABLE;
    entries[1].value.value.table.num_entries = 1;
    entries[1].value.value.table.entries = capability_entries;

    amqp_table_t properties;
    properties.num_entries = 2;
    properties.entries = entries;
    return amqp_login_with_properties(state, vhost, 0, frame_max, heartbeat, &properties,
                                      AMQP_SASL_METHOD_PLAIN, user, password);
}

/* Sends one heartbeat frame: keeps the broker from closing a connection whose thread is
 * busy elsewhere (a consumer running its handler, an idle publisher). */
static inline int platform_amqp_send_heartbeat(amqp_connection_state_t state) {
    amqp_frame_t frame;
    frame.frame_type = AMQP_FRAME_HEARTBEAT;
    frame.channel = 0;
    return amqp_send_frame(state, &frame);
}

/* Answers a broker-initiated channel.close, as the protocol requires. */
static inline int platform_amqp_send_channel_close_ok(amqp_connection_state_t state, amqp_channel_t channel) {
    amqp_channel_close_ok_t reply;
    reply.dummy = 0;
    return amqp_send_method(state, channel, AMQP_CHANNEL_CLOSE_OK_METHOD, &reply);
}

/* Answers a broker-initiated connection.close, as the protocol requires. */
static inline int platform_amqp_send_connection_close_ok(amqp_connection_state_t state) {
    amqp_connection_close_ok_t reply;
    reply.dummy = 0;
    return amqp_send_method(state, 0, AMQP_CONNECTION_CLOSE_OK_METHOD, &reply);
}

/* Field-table entries; `key` and string values are borrowed. */
static inline amqp_table_entry_t platform_amqp_utf8_entry(const char *key, const char *value) {
    amqp_table_entry_t entry;
    entry.key = amqp_cstring_bytes(key);
    entry.value.kind = AMQP_FIELD_KIND_UTF8;
    entry.value.value.bytes = amqp_cstring_bytes(value);
    return entry;
}

static inline amqp_table_entry_t platform_amqp_i64_entry(const char *key, int64_t value) {
    amqp_table_entry_t entry;
    entry.key = amqp_cstring_bytes(key);
    entry.value.kind = AMQP_FIELD_KIND_I64;
    entry.value.value.i64 = value;
    return entry;
}

#endif
