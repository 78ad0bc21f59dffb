// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {CardRegistry} from "./CardRegistry.sol";

/// @title Chequebook — off-chain per-slice payments settled on-chain (DESIGN §2 "Cheque", §4.6).
/// @notice A payer deposits ether and signs EIP-712 cheques
/// `Cheque(address payer,address payee,bytes32 cardId,uint256 cumulative)`; the amount is
/// cumulative per (payer, payee, cardId), so only the newest cheque matters and replay gains
/// nothing. `cash` pays `cumulative − alreadyPaid`, capped by the payer's balance (what could
/// not be paid stays cashable after a later deposit), split between the payee and the card's
/// creator: the creator gets {ROYALTY_BPS} (a protocol constant, 10 %) rounded down, the payee
/// the exact rest, so the two parts always sum to the amount paid.
/// The payee's share is sent at once (if the payee cannot receive ether it is credited to
/// `owed` instead); the creator's royalty accrues in `owed` and is taken with `claim()`.
/// Withdrawals are announced and wait {WITHDRAW_DELAY}, so payees see them coming and can cash
/// first: a payer cannot empty the book under its payees.
contract Chequebook is EIP712, ReentrancyGuardTransient {
    /// @notice Share of every cashed amount that goes to the card's creator, in basis points.
    uint256 public constant ROYALTY_BPS = 1_000;
    /// @notice Time between `announceWithdraw` and the earliest `withdraw`.
    uint256 public constant WITHDRAW_DELAY = 1 days;
    bytes32 public constant CHEQUE_TYPEHASH =
        keccak256("Cheque(address payer,address payee,bytes32 cardId,uint256 cumulative)");
    uint256 private constant BPS = 10_000;

    struct Cheque {
        address payer;
        address payee;
        bytes32 cardId;
        uint256 cumulative;
    }

    /// @notice A payer's book, one slot.
    struct Account {
        uint128 balance;
        uint40 unlockAt; // 0 = no withdrawal announced
        uint88 announced;
    }

    CardRegistry public immutable registry;
    mapping(address payer => Account) public accounts;
    mapping(bytes32 key => uint256 amount) private _paid;
    /// @notice Ether waiting to be claimed (creators' royalties, shares of payees that refused ether).
    mapping(address account => uint256 amount) public owed;

    event Deposited(address indexed payer, uint256 amount, uint256 balance);
    event ChequeCashed(
        address indexed payer,
        address indexed payee,
        bytes32 indexed cardId,
        uint256 cumulative,
        uint256 amount,
        uint256 royalty
    );
    event WithdrawAnnounced(address indexed payer, uint256 amount, uint256 unlockAt);
    event Withdrawn(address indexed payer, uint256 amount);
    event Claimed(address indexed account, uint256 amount);

    error UnknownCard(bytes32 cardId);
    error InvalidSignature();
    error NothingToCash(uint256 cumulative, uint256 alreadyPaid);
    error EmptyChequebook(address payer);
    error NoWithdrawAnnounced();
    error WithdrawLocked(uint256 unlockAt);
    error NothingToClaim();
    error AmountTooLarge();
    error PaymentFailed(address to, uint256 amount);

    constructor(CardRegistry registry_) EIP712("Hashcard Chequebook", "1") {
        registry = registry_;
    }

    /// @notice Adds `msg.value` to the caller's book.
    function deposit() external payable {
        Account storage a = accounts[msg.sender];
        uint256 balance = a.balance + msg.value;
        if (balance > type(uint128).max) revert AmountTooLarge();
        a.balance = uint128(balance);
        emit Deposited(msg.sender, msg.value, balance);
    }

    /// @notice Cashes a cheque (anyone may submit it; the money goes to the payee and creator).
    /// @return amount Wei taken from the payer's book (payee share + royalty).
    function cash(Cheque calldata cheque, bytes calldata signature) external nonReentrant returns (uint256 amount) {
        address creator = registry.creatorOf(cheque.cardId);
        if (creator == address(0)) revert UnknownCard(cheque.cardId);
        _checkSignature(cheque, signature);

        bytes32 key = keccak256(abi.encode(cheque.payer, cheque.payee, cheque.cardId));
        uint256 already = _paid[key];
        if (cheque.cumulative <= already) revert NothingToCash(cheque.cumulative, already);
        Account storage a = accounts[cheque.payer];
        uint256 balance = a.balance;
        if (balance == 0) revert EmptyChequebook(cheque.payer);
        amount = cheque.cumulative - already;
        if (amount > balance) amount = balance;
        unchecked {
            a.balance = uint128(balance - amount);
            _paid[key] = already + amount;
        }
        uint256 royalty = (amount * ROYALTY_BPS) / BPS;
        uint256 share = amount - royalty;
        if (royalty != 0) owed[creator] += royalty;
        emit ChequeCashed(cheque.payer, cheque.payee, cheque.cardId, cheque.cumulative, amount, royalty);
        if (share != 0) {
            (bool ok,) = cheque.payee.call{value: share}("");
            if (!ok) owed[cheque.payee] += share;
        }
    }

    function _checkSignature(Cheque calldata cheque, bytes calldata signature) private view {
        bytes32 digest = _hashTypedDataV4(
            keccak256(abi.encode(CHEQUE_TYPEHASH, cheque.payer, cheque.payee, cheque.cardId, cheque.cumulative))
        );
        (address signer, ECDSA.RecoverError err,) = ECDSA.tryRecover(digest, signature);
        if (err != ECDSA.RecoverError.NoError || signer != cheque.payer) revert InvalidSignature();
    }

    /// @notice Announces a withdrawal of up to `amount`; `withdraw` works after {WITHDRAW_DELAY}.
    /// A new announcement replaces the previous one and restarts the delay.
    function announceWithdraw(uint256 amount) external {
        if (amount > type(uint88).max) revert AmountTooLarge();
        Account storage a = accounts[msg.sender];
        uint256 unlockAt = block.timestamp + WITHDRAW_DELAY;
        a.unlockAt = uint40(unlockAt);
        a.announced = uint88(amount);
        emit WithdrawAnnounced(msg.sender, amount, unlockAt);
    }

    /// @notice Withdraws the announced amount (or the whole balance if less is left).
    function withdraw() external nonReentrant returns (uint256 amount) {
        Account storage a = accounts[msg.sender];
        uint256 unlockAt = a.unlockAt;
        if (unlockAt == 0) revert NoWithdrawAnnounced();
        if (block.timestamp < unlockAt) revert WithdrawLocked(unlockAt);
        uint256 balance = a.balance;
        amount = a.announced;
        if (amount > balance) amount = balance;
        a.balance = uint128(balance - amount);
        a.unlockAt = 0;
        a.announced = 0;
        emit Withdrawn(msg.sender, amount);
        (bool ok,) = msg.sender.call{value: amount}("");
        if (!ok) revert PaymentFailed(msg.sender, amount);
    }

    /// @notice Sends the caller everything `owed` to it.
    function claim() external nonReentrant {
        uint256 amount = owed[msg.sender];
        if (amount == 0) revert NothingToClaim();
        owed[msg.sender] = 0;
        emit Claimed(msg.sender, amount);
        (bool ok,) = msg.sender.call{value: amount}("");
        if (!ok) revert PaymentFailed(msg.sender, amount);
    }

    /// @notice What has been paid so far on (payer, payee, cardId).
    function paidOf(address payer, address payee, bytes32 cardId) external view returns (uint256) {
        return _paid[keccak256(abi.encode(payer, payee, cardId))];
    }

    /// @notice The EIP-712 domain separator cheques are signed under.
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }
}
